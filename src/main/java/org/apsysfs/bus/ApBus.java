package org.apsysfs.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apsysfs.Kernel;
import org.apsysfs.base.BusType;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApMachine;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.Qci;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kernel.Printable;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * The AP bus ({@code drivers/s390/crypto/ap_bus.c}): {@code /sys/bus/ap} with its files, the
 * root device {@code /sys/devices/ap}, the reservation masks {@code apmask}/{@code aqmask},
 * the state the bus scan ({@link ApScan}) turns the host AP configuration into (the QCI of
 * the last scan, the card and queue devices, the default domain), and the probe rule that gives reserved queues to the default drivers and free ones to the others.
 *
 * <p>Locking: {@link #apmask}, {@link #aqmask}, {@link #driverOverrides} and
 * {@link #masksInUse} are guarded by {@code ap_attr_mutex}; {@link #qci} and the card map
 * change only under {@code ap_scan_bus_mutex}.
 */
public final class ApBus extends BusType {
    public static final int AP_DEVICE_TYPE_CEX4 = 10;
    public static final int AP_DEVICE_TYPE_CEX8 = 14;
    /** The host's interruption subclass for AP adapter interrupts ({@code AP_ISC}). */
    public static final int HOST_ISC = 6;
    /** The host ISC of the GISA interruption bridge ({@code GIB}) for guest AP interrupts. */
    public static final int GIB_ISC = 7;
    public static final LockClass AP_ATTR_MUTEX = org.apsysfs.locking.LockRank.AP_ATTR_MUTEX.cls();
    public static final LockClass AP_SCAN_BUS_MUTEX = org.apsysfs.locking.LockRank.AP_SCAN_BUS_MUTEX.cls();

    static final AttributeGroup<ApBus> BUS_ATTRS = AttributeGroup.of(
            Attribute.rw("ap_domain", b -> b.domainIndex + "\n", ApBus::apDomainStore),
            Attribute.ro("ap_control_domain_mask", b -> b.qciMask(b.qci.adm())),
            Attribute.ro("ap_usage_domain_mask", b -> b.qciMask(b.qci.aqm())),
            Attribute.ro("ap_adapter_mask", b -> b.qciMask(b.qci.apm())),
            Attribute.rw("config_time", b -> b.configTime + "\n", ApBus::configTimeStore),
            Attribute.rw("poll_thread", b -> (b.pollThread ? 1 : 0) + "\n", ApBus::pollThreadStore),
            Attribute.ro("ap_interrupts", b -> (b.interruptsEnabled() ? 1 : 0) + "\n"),
            Attribute.rw("poll_timeout", b -> Long.toUnsignedString(b.pollTimeout) + "\n", ApBus::pollTimeoutStore),
            Attribute.ro("ap_max_domain_id", b -> b.maxDomainId + "\n"),
            Attribute.ro("ap_max_adapter_id", b -> b.maxAdapterId + "\n"),
            Attribute.rw("apmask", b -> b.maskShow(true), (b, buf) -> b.maskStore(buf, true)),
            Attribute.rw("aqmask", b -> b.maskShow(false), (b, buf) -> b.maskStore(buf, false)),
            Attribute.rw("scans", b -> b.scanCount.get() + "\n", (b, buf) -> b.forceRescan()),
            Attribute.ro("bindings", ApBus::bindingsShow),
            Attribute.ro("bindings_complete_count", b -> b.bindingsCompleteCount.get() + "\n"),
            Attribute.ro("features", ApBus::featuresShow));

    final ApMachine hw;
    private final KMutex attrMutex = new KMutex(AP_ATTR_MUTEX);
    private final KMutex scanMutex = new KMutex(AP_SCAN_BUS_MUTEX);
    final Device root;
    final int maxAdapterId;
    final int maxDomainId;

    /** Guarded by ap_attr_mutex. */
    ApMask apmask = ApMask.full();
    /** Guarded by ap_attr_mutex. */
    ApMask aqmask = ApMask.full();
    /** Guarded by ap_attr_mutex: number of queues with a driver_override set. */
    private int driverOverrides;
    /** Guarded by ap_attr_mutex: apmask/aqmask are not both all ones. */
    private boolean masksInUse;

    /** The configuration seen by the last scan; guarded by ap_scan_bus_mutex (volatile for readers). */
    volatile Qci qci;
    /** The cards by adapter id. */
    final AtomicReferenceArray<ApCard> cards = new AtomicReferenceArray<>(256);

    volatile int domainIndex = -1;
    private volatile int configTime = 30;
    private volatile boolean pollThread;
    private volatile long pollTimeout = 250_000L;
    final AtomicLong scanCount = new AtomicLong();
    private final AtomicLong bindingsCompleteCount = new AtomicLong();
    /** The {@code ap_apqn_bindings_complete} completion; re-armed by every probe. */
    volatile boolean bindingsComplete;
    private ScheduledExecutorService timer;
    private final ApScan scanner;

    public ApBus(Kernel kernel, ApMachine hw) {
        // every APQN the machine's ids allow, and the cards
        super(kernel, "ap", (hw.maxAdapterId() + 1) * (hw.maxDomainId() + 2));
        this.hw = hw;
        this.qci = fetchQci();
        this.maxAdapterId = hw.maxAdapterId();
        this.maxDomainId = hw.maxDomainId();
        this.root = new Device(kernel, "ap", null, null) {
        };
        this.scanner = new ApScan(kernel, this);
    }

    @Override
    protected List<AttributeGroup<?>> busGroups() {
        return List.of(BUS_ATTRS);
    }

    /** {@code ap_module_init}: the bus, its root device; scans start with {@link #initialScan}. */
    @Override
    public void register() {
        super.register();
        root.add(kernel.devicesDir());
        root.dir().markPermanent(); // the AP bus root device lives as long as the bus
        // ap_root_device->bus = &ap_bus_type: its uevents carry SUBSYSTEM=ap, but it is no
        // device of the bus (no subsystem link, not in bus/ap/devices)
        root.setBusUnlinked(this);
    }

    /** PQAP(QCI); without QCI every id is taken as configured (masks all ones, no flags). */
    Qci fetchQci() {
        return hw.qci().orElseGet(() -> new Qci(false, false, false, false, false, 0, 0,
                ApMask.full(), ApMask.full(), ApMask.full()));
    }

    /** The hardware this kernel's AP bus runs on (the machine, or a guest's view of it). */
    public ApMachine hardware() {
        return hw;
    }

    /** {@code /sys/devices/ap}. */
    public Device rootDevice() {
        return root;
    }

    public KMutex attrMutex() {
        return attrMutex;
    }

    public KMutex scanMutex() {
        return scanMutex;
    }

    public int maxAdapterId() {
        return maxAdapterId;
    }

    public int maxDomainId() {
        return maxDomainId;
    }

    /** The QCI information as of the last scan. */
    public Qci qci() {
        return qci;
    }

    /** The default usage domain ({@code ap_domain_index}), -1 if none. */
    public int domainIndexValue() {
        return domainIndex;
    }

    public boolean interruptsEnabled() {
        return hw.adapterInterrupts();
    }

    /** A host NIB address for a queue's adapter interrupts (any stable non-zero value). */
    static long hostNib(int apqn) {
        return 0x0000_7f00_0000_0000L | ((long) apqn << 12);
    }

    /** Set when this bus runs in a guest: its one indicator byte ({@code ap_airq}), 0 on the host. */
    private volatile long airqNib;

    /**
     * The notification indicator the bus registers with AQIC for a queue: the host's per-queue
     * address, or the guest's single {@code ap_airq} indicator ({@link #useAirqIndicator}).
     */
    long nib(int apqn) {
        long a = airqNib;
        return a != 0 ? a : hostNib(apqn);
    }

    /** The AP bus runs in a guest whose adapter-interrupt indicator lives at guest address {@code nib}. */
    public void useAirqIndicator(long nib) {
        this.airqNib = nib;
    }

    /**
     * Whether queues get the SE secure-binding files: {@code ap_sb_available() &&
     * is_prot_virt_guest()} ({@code ap_queue_create}, ap_queue.c).
     */
    boolean seBindFiles() {
        return qci.apsb() && hw.protectedGuest();
    }

    /** The current apmask; the caller holds ap_attr_mutex or accepts a racy snapshot. */
    public ApMask apmask() {
        return apmask;
    }

    /** The current aqmask; the caller holds ap_attr_mutex or accepts a racy snapshot. */
    public ApMask aqmask() {
        return aqmask;
    }

    /**
     * Whether APQN (apid, apqi) is reserved for the default drivers: both mask bits set, or
     * (newest kernels) its queue has a driver_override and is bound to a default driver.
     * The caller holds ap_attr_mutex.
     */
    public boolean reservedForDefault(int apid, int apqi) {
        ApCard c = card(apid);
        ApQueue q = c == null ? null : c.queue(apqi);
        if (q != null && q.driverOverride != null) {
            Driver d = q.driver();
            return d instanceof ApDriver ad && ad.isDefault();
        }
        return inPerms(apid, apqi);
    }

    /**
     * The mask half of the reservation rule ({@code ap_owned_by_def_drv}, and
     * {@code ap_device_probe}'s {@code devres}, ap_bus.c): the APQN's bits are set in both
     * {@code ap_perms.apm} and {@code ap_perms.aqm}. The caller holds ap_attr_mutex.
     */
    private boolean inPerms(int apid, int apqi) {
        return apmask.test(apid) && aqmask.test(apqi);
    }

    /** {@link #inPerms} for a queue, taking ap_attr_mutex as ap_device_probe does. */
    private boolean inPermsLocked(ApQueue q) {
        try (Guard g = attrMutex.lock()) {
            return inPerms(q.apid(), q.domain());
        }
    }

    /**
     * {@code ap_apqn_in_matrix_owned_by_def_drv}: the first APQN of apm x aqm reserved for the
     * default drivers, or -1. The caller holds ap_attr_mutex.
     */
    public int firstReservedApqn(ApMask apm, ApMask aqm) {
        if (driverOverrides == 0) {
            // no override: the rule is inPerms alone, tested for all of apm x aqm at once
            ApMask a = apm.and(apmask);
            ApMask q = aqm.and(aqmask);
            if (a.isEmpty() || q.isEmpty()) {
                return -1;
            }
            return Apqn.of(a.nextSetBit(0), q.nextSetBit(0));
        }
        for (int card : apm.ids()) {
            for (int dom : aqm.ids()) {
                if (reservedForDefault(card, dom)) {
                    return Apqn.of(card, dom);
                }
            }
        }
        return -1;
    }

    /** The cards, in id order. */
    public List<ApCard> cards() {
        List<ApCard> out = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            ApCard c = cards.get(i);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    public ApCard card(int apid) {
        return apid >= 0 && apid < 256 ? cards.get(apid) : null;
    }

    /** The queue device of an APQN, or null. */
    public ApQueue queue(int apqn) {
        if ((apqn & ~0xffff) != 0) {
            return null;
        }
        ApCard c = card(Apqn.apid(apqn));
        return c == null ? null : c.queue(Apqn.apqi(apqn));
    }

    public List<ApQueue> queues() {
        List<ApQueue> out = new ArrayList<>();
        for (ApCard c : cards()) {
            out.addAll(c.queues());
        }
        return out;
    }

    /** The AP drivers in registration order. */
    public List<ApDriver> apDrivers() {
        List<ApDriver> out = new ArrayList<>();
        for (Driver d : drivers()) {
            out.add((ApDriver) d);
        }
        return out;
    }

    // ------------------------------------------------------------------ matching and probing

    @Override
    protected boolean match(Device dev, Driver drv) {
        return dev instanceof ApDevice ad && drv instanceof ApDriver ap && ap.handles(ad);
    }

    /**
     * {@code ap_device_probe}: a queue with a driver_override binds only to that driver;
     * otherwise a reserved queue only to a default driver and a free one only to the others
     * (ENODEV, silently, for the wrong kind).
     */
    @Override
    protected void probe(Device dev, Driver drv) {
        ApDriver ad = (ApDriver) drv;
        if (dev instanceof ApQueue q) {
            String override = q.driverOverride;
            if (override != null) {
                if (!override.equals(drv.name())) {
                    throw KernelException.bare(Errno.ENODEV);
                }
            } else {
                if (inPermsLocked(q) != ad.isDefault()) {
                    throw KernelException.bare(Errno.ENODEV);
                }
            }
        }
        bindingsComplete = false;
        super.probe(dev, drv);
    }

    /** {@code ap_device_remove}: the driver's remove, then the queue is zeroized (ZAPQ). */
    @Override
    protected void remove(Device dev, Driver drv) {
        super.remove(dev, drv);
        if (dev instanceof ApQueue q) {
            q.removeState();
        }
    }

    @Override
    protected void driverAttached(Driver drv) {
        checkBindingsComplete();
    }

    // ------------------------------------------------------------------ bus files

    private String qciMask(ApMask m) {
        return qci.hasFlags() ? m.format() + "\n" : "not supported\n";
    }

    private String featuresShow() {
        Qci q = qci;
        if (!q.hasFlags()) {
            return "-\n";
        }
        StringBuilder sb = new StringBuilder();
        if (q.apsc()) {
            sb.append("APSC ");
        }
        if (q.apxa()) {
            sb.append("APXA ");
        }
        if (q.qact()) {
            sb.append("QACT ");
        }
        if (q.rc8a()) {
            sb.append("RC8A ");
        }
        if (q.apsb()) {
            sb.append("APSB ");
        }
        if (sb.length() == 0) {
            return "";
        }
        sb.setLength(sb.length() - 1);
        return sb.append('\n').toString();
    }

    /** {@code ap_domain}: {@code %i}, 0..ap_max_domain_id and set in aqmask, else EINVAL. */
    private void apDomainStore(String buf) {
        int d = scanInt("ap: ap_domain", buf, true);
        if (d < 0 || d > maxDomainId) {
            throw KernelException.of(Errno.EINVAL, "ap: ap_domain: %d is not a domain between 0 and %d", d, maxDomainId);
        }
        try (Guard g = attrMutex.lock()) {
            if (!aqmask.test(d)) {
                throw KernelException.of(Errno.EINVAL, "ap: ap_domain: domain %d is not in aqmask", d);
            }
        }
        domainIndex = d;
    }

    /** {@code config_time}: {@code %d}, 5..120 seconds, else EINVAL; re-arms the rescan timer. */
    private void configTimeStore(String buf) {
        int t = scanInt("ap: config_time", buf, false);
        if (t < 5 || t > 120) {
            throw KernelException.of(Errno.EINVAL, "ap: config_time: %d is not between 5 and 120 seconds", t);
        }
        configTime = t;
        synchronized (this) {
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
                startPeriodicScans();
            }
        }
    }

    /** {@code poll_thread}: a boolean; starting is a no-op while adapter interrupts are in use. */
    private void pollThreadStore(String buf) {
        boolean on;
        try {
            on = Kstrtox.kstrtobool(buf);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "ap: poll_thread: '%s' is not a boolean", Printable.of(buf));
        }
        if (on) {
            if (!interruptsEnabled()) {
                pollThread = true;
            }
        } else {
            pollThread = false;
        }
    }

    /** {@code poll_timeout}: kstrtoul base 0 (EINVAL/ERANGE); above 120 s → EINVAL. */
    private void pollTimeoutStore(String buf) {
        long v;
        try {
            v = Kstrtox.kstrtoul(buf, 0);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "ap: poll_timeout: '%s' is %s", Printable.of(buf),
                    e.errno() == Errno.ERANGE ? "out of range" : "not an unsigned number");
        }
        if (Long.compareUnsigned(v, 120_000_000_000L) > 0) {
            throw KernelException.of(Errno.EINVAL, "ap: poll_timeout: %s ns is more than 120 s", Long.toUnsignedString(v));
        }
        pollTimeout = v;
    }

    /**
     * {@code sscanf(buf, "%d\n")} ({@code autoBase}: {@code "%i\n"}) for the store of
     * {@code file}; no number is EINVAL with a log line naming the file.
     */
    public static int scanInt(String file, String buf, boolean autoBase) {
        try {
            return Kstrtox.sscanfInt(buf, autoBase);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "%s: '%s' is not a number", file, Printable.of(buf));
        }
    }

    private String maskShow(boolean adapters) {
        try (Guard g = attrMutex.lockInterruptible()) {
            return (adapters ? apmask : aqmask).format() + "\n";
        }
    }

    /**
     * {@code apmask}/{@code aqmask} store.
     *
     * <ol>
     * <li>ap_attr_mutex (ERESTARTSYS on a signal);</li>
     * <li>a queue has a driver_override → EINVAL;</li>
     * <li>parse (absolute or relative form) → EINVAL;</li>
     * <li>unchanged → success without side effects;</li>
     * <li>bits newly set: every driver's {@code in_use} is asked about (new ids x the ids set
     *     in the other mask) → EBUSY, mask unchanged;</li>
     * <li>commit; after the mutex is released every queue whose reservation changed is
     *     re-probed, and {@code APMASK=}/{@code AQMASK=} is sent on /sys/devices/ap.</li>
     * </ol>
     */
    private void maskStore(String buf, boolean adapters) {
        String name = adapters ? "apmask" : "aqmask";
        ApMask updated;
        try (Guard g = attrMutex.lockInterruptible()) {
            if (driverOverrides > 0) {
                throw KernelException.of(Errno.EINVAL,
                        "ap: %s: refused: %d queue(s) have a driver_override set", name, driverOverrides);
            }
            ApMask current = adapters ? apmask : aqmask;
            try {
                updated = ApMaskParser.parse(buf, current);
            } catch (KernelException e) {
                throw KernelException.of(Errno.EINVAL, "ap: %s: invalid mask '%s'", name, Printable.of(buf));
            }
            if (updated.equals(current)) {
                return;
            }
            ApMask added = updated.andNot(current);
            if (!added.isEmpty()) {
                // apmask_commit/aqmask_commit (ap_bus.c): in_use(newly set ids, the other
                // mask as it is): only APQNs that the change really gives to the default
                // drivers are checked (vfio_ap_mdev_resource_in_use)
                ApMask apm = adapters ? added : apmask;
                ApMask aqm = adapters ? aqmask : added;
                for (ApDriver d : apDrivers()) {
                    if (d.inUse(apm, aqm)) {
                        throw KernelException.of(Errno.EBUSY,
                                "ap: %s: refused: queues it would reserve for the default drivers are assigned to an mdev of %s",
                                name, d.name());
                    }
                }
            }
            if (adapters) {
                apmask = updated;
            } else {
                aqmask = updated;
            }
            masksInUse = !(apmask.isFull() && aqmask.isFull());
        }
        reviseBindings();
        root.uevent("change", (adapters ? "APMASK=" : "AQMASK=") + updated.format() + "\n");
    }

    /**
     * {@code ap_bus_revise_bindings}: re-probes every queue whose driver kind disagrees with
     * its reservation (unbound queues too).
     */
    private void reviseBindings() {
        for (ApQueue q : queues()) {
            Driver d = q.driver();
            boolean reprobe;
            String override = q.driverOverride;
            if (override != null) {
                reprobe = d == null || !override.equals(d.name());
            } else if (d == null) {
                reprobe = true;
            } else {
                reprobe = inPermsLocked(q) != ((ApDriver) d).isDefault();
            }
            if (reprobe) {
                reprobe(q);
            }
        }
    }

    void setDriverOverride(ApQueue q, String buf) {
        try (Guard g = attrMutex.lockInterruptible()) {
            if (masksInUse) {
                throw KernelException.of(Errno.EINVAL,
                        "ap: %s: driver_override: refused while apmask/aqmask are not all ones", q.name());
            }
            String v = ApQueue.parseOverride(buf);
            boolean had = q.driverOverride != null;
            q.driverOverride = v;
            if (had && v == null) {
                driverOverrides--;
            } else if (!had && v != null) {
                driverOverrides++;
            }
        }
    }

    /** The bindings count queue devices (cards are not counted). */
    @Override
    protected boolean counted(Device dev) {
        return dev instanceof ApQueue;
    }

    private String bindingsShow() {
        int[] c = bindingCounts();
        int apqns = c[0];
        int bound = c[1];
        if (scanCount.get() >= 1 && bound == apqns) {
            return bound + "/" + apqns + " (complete)\n";
        }
        return bound + "/" + apqns + "\n";
    }

    void checkBindingsComplete() {
        if (scanCount.get() < 1) {
            return;
        }
        int[] c = bindingCounts();
        if (c[1] != c[0]) {
            return;
        }
        if (!bindingsComplete) {
            bindingsComplete = true;
            long n = bindingsCompleteCount.incrementAndGet();
            root.uevent("change", "BINDINGS=complete", "COMPLETECOUNT=" + n);
        }
    }

    // ------------------------------------------------------------------ card config

    /** Card {@code config} store: SCLP (de)configure, CONFIG= uevent, forced rescan. */
    void configureCard(ApCard card, boolean on) {
        if (on != card.config) {
            try {
                hw.sclpConfigure(card.id(), on);
            } catch (KernelException e) {
                throw KernelException.of(e.errno(), "ap: %s: SCLP %sconfigure failed with %s",
                        card.name(), on ? "" : "de", e.errno().name());
            }
            card.config = on;
            card.uevent("change", "CONFIG=" + (on ? 1 : 0));
            forceRescan();
        } else {
            card.uevent("change", "CONFIG=" + (on ? 1 : 0));
        }
    }

    // ------------------------------------------------------------------ scanning

    /**
     * {@code ap_perms_init}: the masks given on the kernel command line ({@code ap.apmask=},
     * {@code ap.aqmask=}) start from all zeros and are parsed as {@code ap_parse_mask_str}
     * parses a store (absolute or relative); without them the mask stays all ones. Called at
     * boot, before {@link #initialScan}, so the queues they free are never bound to zcrypt.
     *
     * @throws KernelException EINVAL if a value is not a mask (checked by {@link #checkCmdline})
     */
    public void bootMasks(org.apsysfs.kernel.Cmdline cmdline) {
        ApMask[] m = parseCmdline(cmdline);
        try (Guard g = attrMutex.lock()) {
            apmask = m[0];
            aqmask = m[1];
            masksInUse = !(apmask.isFull() && aqmask.isFull());
        }
    }

    /** Refuses (EINVAL, with a log line) an {@code ap.apmask=}/{@code ap.aqmask=} that is no mask. */
    public static void checkCmdline(org.apsysfs.kernel.Cmdline cmdline) {
        parseCmdline(cmdline);
    }

    private static ApMask[] parseCmdline(org.apsysfs.kernel.Cmdline cmdline) {
        ApMask[] m = {ApMask.full(), ApMask.full()};
        String[] names = {"ap.apmask", "ap.aqmask"};
        for (int i = 0; i < 2; i++) {
            String v = cmdline.get(names[i]);
            if (v != null) {
                try {
                    m[i] = ApMaskParser.parse(v, ApMask.empty());
                } catch (KernelException e) {
                    throw KernelException.of(Errno.EINVAL, "apsysfs: reboot: refused: %s=%s is not a mask "
                            + "(ap_parse_mask_str: 0x-prefixed hex, or +/- terms); nothing changed", names[i], Printable.of(v));
                }
            }
        }
        return m;
    }

    /** The first scan, at boot: creates every card and queue device and probes them. */
    public void initialScan() {
        scan();
    }

    /** {@code ap_bus_force_rescan}: a synchronous rescan, once the initial scan is done. */
    public void forceRescan() {
        if (scanCount.get() > 0) {
            scan();
        }
    }

    /** Rescans every {@code config_time} seconds of real time (the daemon does this; tests do not). */
    public synchronized void startPeriodicScans() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ap_scan_bus");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                forceRescan();
            } catch (RuntimeException e) {
                kernel.log().err("ap: periodic bus scan failed: %s", e);
            }
        }, configTime, configTime, TimeUnit.SECONDS);
    }

    public synchronized void stopPeriodicScans() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** {@code ap_scan_bus}: see {@link ApScan}. */
    public void scan() {
        scanner.scanBus();
    }
}
