package org.apsysfs.debugfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apsysfs.Kernel;
import org.apsysfs.bus.ApBus;
import org.apsysfs.hardware.AdapterInfo;
import org.apsysfs.hardware.AdapterSpec;
import org.apsysfs.hardware.ApFeature;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApModel;
import org.apsysfs.hardware.Qci;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kernel.Printable;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * {@code /sys/kernel/debug/apsysfs/host/}: changes of the host AP configuration made from the
 * hardware side (what an operator does on the HMC/SE, or what the machine does by itself).
 * Each accepted write changes the simulated machine and then, as the SCLP config-change event
 * of a real machine does, runs a synchronous forced AP bus rescan before the write returns,
 * so cards and queues have appeared, vanished or changed state when it returns.
 *
 * <pre>
 * adapter_add            ID [MODEL]   put adapter ID into the APM; with MODEL (CEX4A..CEX8P)
 *                                     install a new adapter of that model first (replacing
 *                                     the installed one: a hardware swap)
 * adapter_remove         ID           take adapter ID out of the APM
 * domain_add             ID           put usage domain ID into the AQM
 * domain_remove          ID           take usage domain ID out of the AQM
 * control_domain_add     ID           put control domain ID into the ADM
 * control_domain_remove  ID           take control domain ID out of the ADM
 * adapter_config         ID 0|1       configure the adapter off/on from the hardware side
 * checkstop              ID 0|1       check-stop the adapter / end the check-stop
 * config                 (read)       the host configuration: masks and every installed adapter
 * </pre>
 *
 * IDs are decimal or {@code 0x}-prefixed hex (a leading 0 is decimal, as in machine files).
 * A write that is malformed or would change nothing fails with EINVAL and one log line saying
 * why; the machine is not changed and no rescan happens.
 */
public final class HostFiles {
    private final Kernel kernel;
    private final ApHardware hw;
    private final ApBus bus;

    static final AttributeGroup<HostFiles> HOST_ATTRS = AttributeGroup.named("host",
            Attribute.wo("adapter_add", HostFiles::adapterAdd),
            Attribute.wo("adapter_remove", HostFiles::adapterRemove),
            Attribute.wo("domain_add", (h, b) -> h.domain("domain_add", b, true, false)),
            Attribute.wo("domain_remove", (h, b) -> h.domain("domain_remove", b, false, false)),
            Attribute.wo("control_domain_add", (h, b) -> h.domain("control_domain_add", b, true, true)),
            Attribute.wo("control_domain_remove", (h, b) -> h.domain("control_domain_remove", b, false, true)),
            Attribute.wo("adapter_config", HostFiles::adapterConfig),
            Attribute.wo("checkstop", HostFiles::checkstop),
            Attribute.ro("config", HostFiles::configShow));

    public HostFiles(Kernel kernel, ApHardware hw, ApBus bus) {
        this.kernel = kernel;
        this.hw = hw;
        this.bus = bus;
        kernel.controlDir().addGroup(HOST_ATTRS, this);
    }

    // ------------------------------------------------------------------ stores

    /** {@code adapter_add ID [MODEL]}. */
    private void adapterAdd(String buf) {
        String[] w = words("adapter_add", buf, 1, 2, "ID [MODEL]");
        int id = id("adapter_add", w[0], hw.maxAdapterId(), "adapter");
        ApModel model = null;
        if (w.length == 2) {
            try {
                model = ApModel.parse(w[1]);
            } catch (IllegalArgumentException e) {
                throw invalid("adapter_add", "'%s' is not a model (CEX4A..CEX8P)", w[1]);
            }
        }
        AdapterInfo a = hw.adapter(id);
        if (model == null) {
            if (a == null) {
                throw invalid("adapter_add", "no adapter 0x%02x is installed; give a model to install one", id);
            }
            if (a.inConfiguration()) {
                throw invalid("adapter_add", "adapter 0x%02x is already in the host configuration", id);
            }
        }
        ApModel m = model;
        change("adapter_add " + String.join(" ", w), () -> {
            if (m == null) {
                hw.addAdapter(id);
            } else {
                hw.addAdapter(AdapterSpec.defaults(id, m, hw.spec().has(ApFeature.APXA), hw.maxDomainId()));
            }
        });
    }

    /** {@code adapter_remove ID}. */
    private void adapterRemove(String buf) {
        String[] w = words("adapter_remove", buf, 1, 1, "ID");
        int id = id("adapter_remove", w[0], hw.maxAdapterId(), "adapter");
        AdapterInfo a = hw.adapter(id);
        if (a == null || !a.inConfiguration()) {
            throw invalid("adapter_remove", "adapter 0x%02x is not in the host configuration", id);
        }
        change("adapter_remove " + w[0], () -> hw.removeAdapter(id));
    }

    /** {@code domain_add|domain_remove|control_domain_add|control_domain_remove ID}. */
    private void domain(String file, String buf, boolean add, boolean control) {
        String[] w = words(file, buf, 1, 1, "ID");
        int id = id(file, w[0], hw.maxDomainId(), "domain");
        ApMask now = currentMask(control);
        String what = control ? "control domain" : "usage domain";
        if (add && now.test(id)) {
            throw invalid(file, "%s 0x%04x is already in the host configuration", what, id);
        }
        if (!add && !now.test(id)) {
            throw invalid(file, "%s 0x%04x is not in the host configuration", what, id);
        }
        change(file + " " + w[0], () -> {
            if (control) {
                if (add) {
                    hw.addControlDomain(id);
                } else {
                    hw.removeControlDomain(id);
                }
            } else if (add) {
                hw.addUsageDomain(id);
            } else {
                hw.removeUsageDomain(id);
            }
        });
    }

    /**
     * {@code adapter_config ID 0|1}: the adapter is configured off or on by the machine (the
     * SCLP path of the machine is used, so a machine without SCLP refuses with EOPNOTSUPP).
     */
    private void adapterConfig(String buf) {
        String[] w = words("adapter_config", buf, 2, 2, "ID 0|1");
        int id = id("adapter_config", w[0], hw.maxAdapterId(), "adapter");
        boolean on = flag("adapter_config", w[1]);
        AdapterInfo a = installed("adapter_config", id);
        if (a.configured() == on) {
            throw invalid("adapter_config", "adapter 0x%02x is already configured %s", id, on ? "on" : "off");
        }
        change("adapter_config " + w[0] + " " + w[1], () -> {
            try {
                hw.sclpConfigure(id, on);
            } catch (KernelException e) {
                throw KernelException.of(e.errno(), "apsysfs: host: adapter_config: the machine refused to configure "
                        + "adapter 0x%02x %s: %s", id, on ? "on" : "off", e.errno().name());
            }
        });
    }

    /** {@code checkstop ID 0|1}. */
    private void checkstop(String buf) {
        String[] w = words("checkstop", buf, 2, 2, "ID 0|1");
        int id = id("checkstop", w[0], hw.maxAdapterId(), "adapter");
        boolean on = flag("checkstop", w[1]);
        AdapterInfo a = installed("checkstop", id);
        if (a.checkstopped() == on) {
            throw invalid("checkstop", "adapter 0x%02x is already %s", id, on ? "check-stopped" : "not check-stopped");
        }
        change("checkstop " + w[0] + " " + w[1], () -> hw.setCheckstop(id, on));
    }

    /**
     * Applies a hardware change and delivers it to the kernel: the bus scan mutex is held
     * across the change so no concurrent scan sees half of it; then the forced rescan.
     */
    private void change(String what, Runnable hardwareChange) {
        try (Guard g = bus.scanMutex().lock()) {
            hardwareChange.run();
        } catch (IllegalArgumentException e) {
            throw invalid(what.split(" ")[0], "%s", e.getMessage());
        }
        kernel.log().info("apsysfs: host: %s", what);
        bus.forceRescan();
    }

    // ------------------------------------------------------------------ config

    private String configShow() {
        StringBuilder sb = new StringBuilder();
        Qci q = hw.qci().orElse(null);
        if (q == null) {
            sb.append("qci: not installed\n");
        } else {
            sb.append("apm: ").append(q.apm().format()).append('\n');
            sb.append("aqm: ").append(q.aqm().format()).append('\n');
            sb.append("adm: ").append(q.adm().format()).append('\n');
        }
        sb.append("max_adapter_id: ").append(hw.maxAdapterId()).append('\n');
        sb.append("max_domain_id: ").append(hw.maxDomainId()).append('\n');
        for (int id : hw.installedAdapters().ids()) {
            AdapterInfo a = hw.adapter(id);
            if (a == null) {
                continue;
            }
            sb.append(String.format("adapter %02x %s raw_type=%d in_config=%d configured=%d checkstop=%d%n",
                    id, a.spec().model().typeName(), a.spec().rawType(), a.inConfiguration() ? 1 : 0,
                    a.configured() ? 1 : 0, a.checkstopped() ? 1 : 0));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ parsing

    private ApMask currentMask(boolean control) {
        Qci q = hw.qci().orElse(null);
        if (q == null) {
            throw invalid(control ? "control_domain" : "domain", "this machine has no QCI: its domains cannot change");
        }
        return control ? q.adm() : q.aqm();
    }

    private AdapterInfo installed(String file, int id) {
        AdapterInfo a = hw.adapter(id);
        if (a == null) {
            throw invalid(file, "no adapter 0x%02x is installed", id);
        }
        return a;
    }

    /** Splits a write into blank-separated words (one trailing newline allowed, no NUL). */
    private static String[] words(String file, String buf, int min, int max, String usage) {
        String s = Kstrtox.cString(buf);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        String t = s.strip();
        List<String> out = new ArrayList<>();
        if (!t.isEmpty() && !t.contains("\n")) {
            for (String x : t.split("[ \t]+")) {
                out.add(x);
            }
        }
        if (out.size() < min || out.size() > max) {
            throw invalid(file, "'%s': expected %s", Printable.of(buf), usage);
        }
        return out.toArray(new String[0]);
    }

    /** An ID: decimal, or hex with 0x; at most {@code max}. */
    static int id(String file, String word, int max, String what) {
        long v;
        try {
            String w = word.toLowerCase(Locale.ROOT);
            if (w.startsWith("0x")) {
                if (w.length() == 2 || w.length() > 10) {
                    throw new NumberFormatException();
                }
                v = Long.parseLong(w.substring(2), 16);
            } else {
                if (w.isEmpty() || w.length() > 10 || !w.chars().allMatch(Character::isDigit)) {
                    throw new NumberFormatException();
                }
                v = Long.parseLong(w);
            }
        } catch (NumberFormatException e) {
            throw invalid(file, "'%s' is not an %s id (decimal or 0x hex)", word, what);
        }
        if (v > max) {
            throw invalid(file, "%s id %d is above the machine's maximum %d", what, v, max);
        }
        return (int) v;
    }

    private static boolean flag(String file, String word) {
        return switch (word) {
            case "0" -> false;
            case "1" -> true;
            default -> throw invalid(file, "'%s' is not 0 or 1", word);
        };
    }

    private static KernelException invalid(String file, String format, Object... args) {
        return KernelException.of(Errno.EINVAL, "apsysfs: host: " + file + ": " + String.format(format, args));
    }
}
