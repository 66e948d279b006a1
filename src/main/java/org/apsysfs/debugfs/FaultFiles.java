package org.apsysfs.debugfs;

import org.apsysfs.Kernel;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.hardware.ApInstruction;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kvm.Guests;
import org.apsysfs.locking.Lockdep;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * Fault injection and the validators' reports under {@code /sys/kernel/debug/apsysfs/}.
 *
 * <pre>
 * faults           write one command per write:
 *                    reset_delay AA.DDDD MS        a ZAPQ/RAPQ reset stays in progress MS ms
 *                    zapq|rapq|tapq|aqic|nqap AA.DDDD RC [COUNT]
 *                                                  the instruction answers RC (a name such as BUSY,
 *                                                  DECONFIGURED, CHECKSTOPPED, or a number) COUNT
 *                                                  times (default: until cleared)
 *                    clear AA.DDDD | clear all
 *                  read: the commands in effect, as written
 * lockdep          the lock dependency graph ("a -> b" per edge)
 * lockdep_reports  every report of the lock validator (empty when all is well)
 * hazards          every time the hardware could post an interrupt to an unpinned NIB
 * </pre>
 */
public final class FaultFiles {
    private final Kernel kernel;
    private final ApHardware hw;
    private final Guests guests;
    private final java.util.List<String> active = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final AttributeGroup<FaultFiles> ATTRS = AttributeGroup.of(
            Attribute.rw("faults", f -> String.join("", f.active), FaultFiles::faultStore),
            Attribute.ro("lockdep", f -> Lockdep.get().graph()),
            Attribute.log("lockdep_reports", f -> Lockdep.get().reportText()),
            Attribute.log("hazards", f -> {
                StringBuilder sb = new StringBuilder();
                for (String h : f.guests.hazards()) {
                    sb.append(h).append('\n');
                }
                return sb.toString();
            }));

    public FaultFiles(Kernel kernel, ApHardware hw, Guests guests) {
        this.kernel = kernel;
        this.hw = hw;
        this.guests = guests;
        kernel.controlDir().addGroup(ATTRS, this);
    }

    private void faultStore(String buf) {
        String line = Kstrtox.cString(buf).strip();
        String[] w = line.split("\\s+");
        try {
            switch (w[0]) {
                case "reset_delay" -> {
                    need(w, 3);
                    long ms = Long.parseLong(w[2]);
                    if (ms < 0) {
                        throw new IllegalArgumentException("negative delay");
                    }
                    hw.injectResetDuration(Apqn.parse(w[1]), ms * 1_000_000L);
                }
                case "zapq", "rapq", "tapq", "aqic", "nqap" -> {
                    if (w.length != 3 && w.length != 4) {
                        throw new IllegalArgumentException(w[0] + " takes AA.DDDD RC [COUNT]");
                    }
                    ApRc rc = ApRc.parse(w[2]);
                    int count = w.length == 4 ? Integer.parseInt(w[3]) : -1;
                    if (w.length == 4 && count <= 0) {
                        throw new IllegalArgumentException("COUNT must be positive");
                    }
                    hw.injectFault(Apqn.parse(w[1]), ApInstruction.valueOf(w[0].toUpperCase(java.util.Locale.ROOT)), rc, count);
                }
                case "clear" -> {
                    need(w, 2);
                    if (w[1].equals("all")) {
                        hw.clearAllFaults();
                        active.clear();
                    } else {
                        int q = Apqn.parse(w[1]);
                        hw.clearFaults(q);
                        active.removeIf(l -> l.split("\\s+").length > 1 && l.split("\\s+")[1].equals(w[1]));
                    }
                    kernel.log().info("apsysfs: faults: %s", line);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
            }
        } catch (IllegalArgumentException e) {
            throw KernelException.of(Errno.EINVAL, "apsysfs: faults: %s (commands: reset_delay AA.DDDD MS; "
                    + "zapq|rapq|tapq|aqic|nqap AA.DDDD RC [COUNT]; clear AA.DDDD|all)", e.getMessage());
        }
        active.add(line + "\n");
        kernel.log().info("apsysfs: faults: %s", line);
    }

    private static void need(String[] w, int n) {
        if (w.length != n) {
            throw new IllegalArgumentException(w[0] + " takes " + (n - 1) + " argument(s)");
        }
    }
}
