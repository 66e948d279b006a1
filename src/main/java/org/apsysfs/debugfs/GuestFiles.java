package org.apsysfs.debugfs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apsysfs.Kernel;
import org.apsysfs.bus.ApBus;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.QueueInfo;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kvm.Guests;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.vfio_ap.MatrixMdev;
import org.apsysfs.vfio_ap.VfioApDrv;

/**
 * {@code /sys/kernel/debug/apsysfs/guests/}: simulated KVM guests and what a VMM and a guest
 * do with a vfio_ap mdev.
 *
 * <pre>
 * guests/create            NAME [nocrycb] [nogisa] [protected] [mem=BYTES]
 * guests/destroy           NAME                  (EBUSY while it has an mdev open)
 * guests/NAME/attach       UUID                  open the mdev's VFIO device for this guest (a second
 *                                                vfio_ap mdev for a guest with a CRYCB: vfio_ap's EPERM;
 *                                                a guest without one may open several)
 * guests/NAME/detach       UUID                  close it
 * guests/NAME/reset        anything              VFIO_DEVICE_RESET on each attached mdev
 * guests/NAME/pqap         tapq AA.DDDD | aqic AA.DDDD enable ISC NIB | aqic AA.DDDD disable
 *                          | nqap AA.DDDD        (read: the result of the last instruction)
 * guests/NAME/apm|aqm|adm  the CRYCB masks (0x + 64 hex digits)
 * guests/NAME/apqns        the APQNs the guest can use (AA.DDDD lines)
 * guests/NAME/status       a summary (CRYCB, GISA, attached mdev, pinned pages, ISCs)
 * </pre>
 */
public final class GuestFiles {
    private final Kernel kernel;
    private final Guests guests;
    private final VfioApDrv vfioAp;
    private final ApBus bus;
    private final KernfsDir dir;
    private final Map<String, Guest> files = new ConcurrentHashMap<>();

    /** One guest's files and state of the simulated VMM. */
    final class Guest {
        final Kvm kvm;
        /**
         * The vfio_ap mdevs the VMM has open for this guest, in the order opened: at most one
         * for a guest with a CRYCB (vfio_ap_mdev_set_kvm refuses a second), any number without
         * (vfio_ap_mdev_set_kvm then does nothing: no kvm link, no one-mdev check).
         */
        final java.util.List<MatrixMdev> attached = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String lastPqap = "";

        Guest(Kvm kvm) {
            this.kvm = kvm;
        }

        GuestFiles outer() {
            return GuestFiles.this;
        }
    }

    static final AttributeGroup<GuestFiles> TOP_ATTRS = AttributeGroup.of(
            Attribute.wo("create", GuestFiles::createStore),
            Attribute.wo("destroy", GuestFiles::destroyStore));

    static final AttributeGroup<Guest> GUEST_ATTRS = AttributeGroup.of(
            Attribute.wo("attach", (g, b) -> g.outer().attach(g, b)),
            Attribute.wo("detach", (g, b) -> g.outer().detach(g, b)),
            Attribute.wo("reset", (g, b) -> g.outer().reset(g)),
            Attribute.rw("pqap", g -> g.lastPqap, (g, b) -> g.outer().pqap(g, b)),
            Attribute.ro("apm", g -> g.kvm.apm().format() + "\n"),
            Attribute.ro("aqm", g -> g.kvm.aqm().format() + "\n"),
            Attribute.ro("adm", g -> g.kvm.adm().format() + "\n"),
            Attribute.ro("apqns", g -> apqns(g.kvm)),
            Attribute.ro("status", g -> g.outer().status(g)));

    public GuestFiles(Kernel kernel, Guests guests, VfioApDrv vfioAp, ApBus bus) {
        this.kernel = kernel;
        this.guests = guests;
        this.vfioAp = vfioAp;
        this.bus = bus;
        this.dir = kernel.controlDir().mkdir("guests");
        dir.addGroup(TOP_ATTRS, this);
    }

    private static String word(String buf) {
        String s = org.apsysfs.kernel.Kstrtox.cString(buf).strip();
        return s;
    }

    private void createStore(String buf) {
        String[] w = word(buf).split("\\s+");
        String name = w[0];
        if (!name.matches("[A-Za-z0-9_-]{1,32}")) {
            throw KernelException.of(Errno.EINVAL, "apsysfs: guests/create: '%s' is not a guest name ([A-Za-z0-9_-], at most 32)", name);
        }
        boolean crycb = true;
        boolean gisa = true;
        boolean prot = false;
        long mem = 1L << 30;
        for (int i = 1; i < w.length; i++) {
            switch (w[i]) {
                case "nocrycb" -> crycb = false;
                case "nogisa" -> gisa = false;
                case "protected" -> prot = true;
                default -> {
                    if (w[i].startsWith("mem=")) {
                        try {
                            mem = Long.decode(w[i].substring(4));
                        } catch (NumberFormatException e) {
                            mem = -1;
                        }
                        if (mem <= 0) {
                            throw KernelException.of(Errno.EINVAL, "apsysfs: guests/create: bad %s", w[i]);
                        }
                    } else {
                        throw KernelException.of(Errno.EINVAL,
                                "apsysfs: guests/create: unknown option '%s' (nocrycb, nogisa, protected, mem=BYTES)", w[i]);
                    }
                }
            }
        }
        Kvm kvm = new Kvm(name, crycb);
        kvm.setHasGisa(gisa);
        kvm.setProtectedVm(prot);
        kvm.setMemorySize(mem);
        synchronized (this) {
            if (!guests.create(kvm)) {
                throw KernelException.of(Errno.EEXIST, "apsysfs: guests/create: guest %s exists", name);
            }
            Guest g = new Guest(kvm);
            files.put(name, g);
            dir.mkdir(name).addGroup(GUEST_ATTRS, g);
        }
        kernel.log().info("kvm: guest %s created (%s)", name, crycb ? "with CRYCB" : "without CRYCB");
    }

    private void destroyStore(String buf) {
        String name = word(buf);
        synchronized (this) {
            Guest g = files.get(name);
            if (g == null) {
                throw KernelException.of(Errno.ENODEV, "apsysfs: guests/destroy: no guest '%s'", name);
            }
            if (!g.attached.isEmpty()) {
                throw KernelException.of(Errno.EBUSY, "apsysfs: guests/destroy: guest %s still has mdev %s open; detach it first",
                        name, g.attached.get(0).name());
            }
            files.remove(name);
            guests.destroy(name);
            dir.removeChild(name);
        }
        kernel.log().info("kvm: guest %s destroyed", name);
    }

    private MatrixMdev mdevOf(String buf, String file) {
        String uuid = word(buf).toLowerCase(java.util.Locale.ROOT);
        MatrixMdev m = vfioAp.mdev(uuid);
        if (m == null) {
            throw KernelException.of(Errno.ENODEV, "apsysfs: %s: no vfio_ap mdev '%s'", file, uuid);
        }
        return m;
    }

    private void attach(Guest g, String buf) {
        MatrixMdev m = mdevOf(buf, "attach");
        synchronized (g) {
            if (g.attached.contains(m)) {
                // the simulated VMM does not attach one device twice
                throw KernelException.of(Errno.EBUSY, "apsysfs: attach: guest %s already has mdev %s open", g.kvm.name(),
                        m.name());
            }
            if (!g.attached.isEmpty() && g.kvm.hasCrycb()) {
                // the VMM opens a second vfio_ap device for the same guest: vfio_ap refuses (EPERM)
                m.vfioDevice().open(g.kvm, true);
                m.vfioDevice().close();
                throw KernelException.of(Errno.EBUSY, "apsysfs: attach: guest %s already has mdev %s open", g.kvm.name(),
                        g.attached.get(0).name());
            }
            m.vfioDevice().open(g.kvm, true);
            g.attached.add(m);
        }
        kernel.log().info("kvm: guest %s opened vfio_ap mdev %s", g.kvm.name(), m.name());
    }

    private void detach(Guest g, String buf) {
        MatrixMdev m = mdevOf(buf, "detach");
        synchronized (g) {
            if (!g.attached.contains(m)) {
                throw KernelException.of(Errno.ENODEV, "apsysfs: detach: guest %s does not have mdev %s open",
                        g.kvm.name(), m.name());
            }
            m.vfioDevice().close();
            g.attached.remove(m);
        }
        kernel.log().info("kvm: guest %s closed vfio_ap mdev %s", g.kvm.name(), m.name());
    }

    private void reset(Guest g) {
        if (g.attached.isEmpty()) {
            throw KernelException.of(Errno.ENODEV, "apsysfs: reset: guest %s has no mdev open", g.kvm.name());
        }
        for (MatrixMdev m : g.attached) {
            m.vfioDevice().reset();
        }
    }

    /** A guest instruction. */
    private void pqap(Guest g, String buf) {
        String[] w = word(buf).split("\\s+");
        int apqn;
        try {
            if (w.length < 2) {
                throw new NumberFormatException();
            }
            apqn = Apqn.parse(w[1]);
        } catch (IllegalArgumentException e) {
            throw KernelException.of(Errno.EINVAL,
                    "apsysfs: pqap: expected 'tapq AA.DDDD', 'aqic AA.DDDD enable ISC NIB', 'aqic AA.DDDD disable' or 'nqap AA.DDDD'");
        }
        String name = Apqn.name(apqn);
        Kvm kvm = g.kvm;
        if (!kvm.hasCrycb()) {
            throw KernelException.of(Errno.EOPNOTSUPP, "apsysfs: pqap: guest %s has no CRYCB: AP instructions are not available",
                    kvm.name());
        }
        boolean inCrycb = kvm.apm().test(Apqn.apid(apqn)) && kvm.aqm().test(Apqn.apqi(apqn));
        switch (w[0]) {
            case "tapq" -> {
                if (w.length != 2) {
                    throw KernelException.of(Errno.EINVAL, "apsysfs: pqap: tapq takes one APQN");
                }
                if (!inCrycb) {
                    g.lastPqap = result("tapq", name, ApQueueStatus.of(ApRc.Q_NOT_AVAIL), null);
                } else {
                    TapqResult r = bus.hardware().tapq(apqn, true);
                    g.lastPqap = result("tapq", name, r.status(),
                            r.info() == null ? null : String.format("functions=0x%08X", r.info().functions()));
                }
            }
            case "aqic" -> {
                boolean enable;
                int isc = 0;
                long nib = 0;
                try {
                    if (w.length == 3 && w[2].equals("disable")) {
                        enable = false;
                    } else if (w.length == 5 && w[2].equals("enable")) {
                        enable = true;
                        isc = Integer.decode(w[3]);
                        nib = Long.decode(w[4]);
                        if (isc < 0 || isc > 7) {
                            throw new NumberFormatException();
                        }
                    } else {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw KernelException.of(Errno.EINVAL, "apsysfs: pqap: expected 'aqic AA.DDDD enable ISC(0-7) NIB' or 'aqic AA.DDDD disable'");
                }
                long gr0 = (3L << 24) | apqn;
                long gr1 = enable ? (1L << (63 - 16)) | isc : 0;
                long word;
                try (Guard rg = kvm.pqapHookRwsem().read()) {
                    Kvm.PqapHook hook = kvm.pqapHook();
                    word = hook == null ? ApQueueStatus.of(ApRc.Q_NOT_AVAIL).word() & 0xffffffffL : hook.handle(kvm, gr0, gr1, nib);
                }
                ApRc rc = ApRc.of((int) ((word >> 16) & 0xff));
                g.lastPqap = String.format("aqic %s %s: cc=%d rc=0x%02x %s irq_enabled=%d\n", name, enable ? "enable" : "disable",
                        rc == ApRc.NORMAL ? 0 : 3, rc.code(), rc.name(), (word & 0x01000000L) != 0 ? 1 : 0);
            }
            case "nqap" -> {
                if (!inCrycb) {
                    g.lastPqap = result("nqap", name, ApQueueStatus.of(ApRc.Q_NOT_AVAIL), null);
                } else {
                    ApQueueStatus st = bus.hardware().nqap(apqn);
                    QueueInfo qi = bus.hardware().queueInfo(apqn);
                    if (st.isNormal() && qi.irqEnabled()) {
                        // the reply makes the adapter post an interrupt to the registered NIB, at
                        // the moment qi was read. A concurrent reset may since have disabled the
                        // interrupt and then unpinned the page (vfio_ap_irq_disable, then
                        // vfio_ap_free_aqic_resources): the post came before, to a pinned page. So
                        // the page is judged by a second look at the queue: a hazard only if the
                        // interrupt is still enabled for the same NIB while the page is unpinned.
                        long guestNib = qi.nibAddress() - Kvm.hostAddress(0);
                        if (kvm == null || !kvm.isPinned(guestNib)) {
                            QueueInfo now = bus.hardware().queueInfo(apqn);
                            if (now.irqEnabled() && now.nibAddress() == qi.nibAddress()) {
                                kvmGuests().checkPost("reply", name, kvm, guestNib);
                            }
                        }
                    }
                    g.lastPqap = result("nqap", name, st, qi.irqEnabled() ? "interrupt posted" : "no interrupt");
                }
            }
            default -> throw KernelException.of(Errno.EINVAL, "apsysfs: pqap: unknown instruction '%s' (tapq, aqic, nqap)", w[0]);
        }
    }

    private Guests kvmGuests() {
        return guests;
    }

    private static String result(String ins, String apqn, ApQueueStatus st, String extra) {
        return String.format("%s %s: cc=%d rc=0x%02x %s queue_empty=%d irq_enabled=%d%s\n", ins, apqn,
                st.rc() == ApRc.NORMAL ? 0 : 3, st.rc().code(), st.rc().name(), st.queueEmpty() ? 1 : 0,
                st.irqEnabled() ? 1 : 0, extra == null ? "" : " " + extra);
    }

    private static String apqns(Kvm kvm) {
        StringBuilder sb = new StringBuilder();
        ApMask aqm = kvm.aqm();
        for (int a : kvm.apm().ids()) {
            for (int q : aqm.ids()) {
                sb.append(Apqn.name(Apqn.of(a, q))).append('\n');
            }
        }
        return sb.toString();
    }

    private String status(Guest g) {
        Kvm k = g.kvm;
        StringBuilder sb = new StringBuilder();
        sb.append("name: ").append(k.name()).append('\n');
        sb.append("crycb: ").append(k.hasCrycb() ? "yes" : "no").append('\n');
        sb.append("gisa: ").append(k.hasGisa() ? "yes" : "no").append('\n');
        sb.append("protected: ").append(k.protectedVm() ? "yes" : "no").append('\n');
        sb.append("memory: ").append(k.memorySize()).append('\n');
        sb.append("mdev:");
        if (g.attached.isEmpty()) {
            sb.append(" -");
        }
        for (MatrixMdev m : g.attached) {
            sb.append(' ').append(m.name());
        }
        sb.append('\n');
        sb.append("pinned_pages: ").append(k.pinnedPages()).append('\n');
        sb.append("gisc:");
        for (int i = 0; i < 8; i++) {
            sb.append(' ').append(k.giscCount(i));
        }
        sb.append('\n');
        sb.append("cfg_change_signals: ").append(k.cfgChangeSignals()).append('\n');
        return sb.toString();
    }

    /** Lets the attribute lambdas reach the enclosing instance. */
    Guest guest(String name) {
        return files.get(name);
    }
}
