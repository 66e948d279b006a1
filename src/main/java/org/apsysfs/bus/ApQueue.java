package org.apsysfs.bus;

import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.base.Uevent;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.TapqInfo;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockRank;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * An AP queue device, {@code /sys/devices/ap/cardXX/XX.YYYY} ({@code struct ap_queue}).
 *
 * <p>Locking: the host-side state ({@link #devState}, {@link #smState}, counters) is guarded
 * by {@code aq->lock} ({@link #aqLock}, rank {@link org.apsysfs.locking.LockRank#AP_QUEUE_LOCK}); {@link #driverOverride} changes under
 * {@code ap_attr_mutex}; {@link #config}/{@link #chkstop} change during scans.
 */
public final class ApQueue extends ApDevice {
    /** {@code enum ap_dev_state}. */
    public enum DevState { UNINITIATED, OPERATING, SHUTDOWN, ERROR }

    /** {@code enum ap_sm_state}. */
    public enum SmState { RESET_START, RESET_WAIT, SETIRQ_WAIT, IDLE, WORKING, QUEUE_FULL, ASSOC_WAIT }

    /** {@code ap_queue_dev_attrs}. */
    static final AttributeGroup<ApQueue> QUEUE_ATTRS = AttributeGroup.of(
            Attribute.rw("request_count", ApQueue::requestCountShow, (q, b) -> q.resetCounters()),
            Attribute.ro("requestq_count", q -> q.requestqCount() + "\n"),
            Attribute.ro("pendingq_count", q -> q.pendingqCount() + "\n"),
            Attribute.rw("reset", ApQueue::resetShow, (q, b) -> q.resetStore()),
            Attribute.ro("interrupt", ApQueue::interruptShow),
            Attribute.ro("config", q -> (q.config ? 1 : 0) + "\n"),
            Attribute.ro("chkstop", q -> (q.chkstop ? 1 : 0) + "\n"),
            Attribute.ro("ap_functions", ApQueue::apFunctionsShow),
            Attribute.rw("driver_override", ApQueue::driverOverrideShow, ApQueue::driverOverrideStore));

    /**
     * {@code ap_queue_dev_sb_attrs}: the SE secure-binding files, added to a queue only when
     * the bus has SE bind support (QCI APSB, {@code ap_sb_available}) and the kernel runs as a
     * Secure Execution guest ({@code is_prot_virt_guest}) ({@code ap_queue_create}, ap_queue.c).
     */
    static final AttributeGroup<ApQueue> SE_ATTRS = AttributeGroup.of(
            Attribute.rw("se_bind", ApQueue::seBindShow, ApQueue::seBindStore),
            Attribute.rw("se_associate", ApQueue::seAssociateShow, ApQueue::seAssociateStore));

    /** {@code ASSOC_IDX_INVALID} (ap_bus.h). */
    static final int ASSOC_IDX_INVALID = 0x10000;

    private final ApCard card;
    private final int apqn;
    /** {@code aq->lock}: the state machine, counters and SE state below. */
    private final KMutex aqLock = new KMutex(LockRank.AP_QUEUE_LOCK.cls(), "&aq->lock", this);
    private final boolean seFiles;
    /** Guarded by aq->lock: {@code aq->se_bstate}, the SE bind state TAPQ last reported. */
    private int seBstate;
    /** Guarded by aq->lock: {@code aq->assoc_idx}. */
    private int assocIdx = ASSOC_IDX_INVALID;
    /** Guarded by aq->lock: {@code aq->rapq_fbit}, the next reset is a full one (SE unbind). */
    private boolean rapqFbit;
    volatile boolean config;
    volatile boolean chkstop;
    /** Guarded by aq->lock. */
    private DevState devState = DevState.UNINITIATED;
    /** Guarded by aq->lock. */
    private SmState smState = SmState.RESET_START;
    /** Guarded by aq->lock. */
    private long totalRequestCount;
    /** Guarded by aq->lock. */
    private int requestqCount;
    /** Guarded by aq->lock. */
    private int pendingqCount;
    /** Guarded by ap_attr_mutex (store) and the device lock (show). */
    volatile String driverOverride;
    /** Driver-private data: zcrypt's queue or vfio_ap's {@code struct vfio_ap_queue}. */
    private volatile Object drvdata;

    ApQueue(Kernel kernel, ApBus bus, ApCard card, int domain, boolean config, boolean chkstop) {
        super(kernel, name(card.id(), domain), card, bus);
        this.card = card;
        this.apqn = Apqn.of(card.id(), domain);
        this.config = config;
        this.chkstop = chkstop;
        this.seFiles = bus.seBindFiles();
    }

    public ApCard card() {
        return card;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    /** The device name of APQN (apid, domain): {@code %02x.%04x}. */
    static String name(int apid, int domain) {
        byte[] b = {HEX[(apid >> 4) & 0xf], HEX[apid & 0xf], '.', HEX[(domain >> 12) & 0xf], HEX[(domain >> 8) & 0xf],
            HEX[(domain >> 4) & 0xf], HEX[domain & 0xf]};
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The APQN ({@link Apqn}). */
    public int apqn() {
        return apqn;
    }

    public int apid() {
        return Apqn.apid(apqn);
    }

    public int domain() {
        return Apqn.apqi(apqn);
    }

    @Override
    public int deviceType() {
        return card.deviceType();
    }

    @Override
    public ApMode mode() {
        return card.mode();
    }

    public boolean config() {
        return config;
    }

    /**
     * {@code ap_queue_usable} (ap_queue.c): configured, not check-stopped and operating (the
     * AP bus initialised it); zcrypt sends requests only to such queues.
     */
    public boolean usable() {
        try (Guard aqg = aqLock.lock()) {
            if (!config || chkstop || devState != DevState.OPERATING) {
                return false;
            }
            // SE guest's queues additionally need to be bound (ap_q_needs_bind)
            return !(supportsBind() && apBus.qci().apsb())
                    || seBstate == TapqInfo.BS_USABLE || seBstate == TapqInfo.BS_USABLE_NO_SECURE_KEY;
        }
    }

    /** {@code ap_q_supports_bind}: EP11 and accelerator queues. */
    private boolean supportsBind() {
        return (card.info().functions() & (TapqInfo.FN_EP11 | TapqInfo.FN_ACCEL)) != 0;
    }

    /** {@code ap_q_supports_assoc}: EP11 queues. */
    private boolean supportsAssoc() {
        return (card.info().functions() & TapqInfo.FN_EP11) != 0;
    }

    public boolean chkstop() {
        return chkstop;
    }

    public String driverOverride() {
        return driverOverride;
    }

    @Override
    protected String devtype() {
        return "ap_queue";
    }

    /** [DEVTYPE=ap_queue, MODE=m] by mode. */
    private static final java.util.Map<ApMode, List<String>> BASE_ENVS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    protected List<String> ueventBaseEnv() {
        ApMode m = mode();
        if (m == null) {
            return super.ueventBaseEnv();
        }
        return BASE_ENVS.computeIfAbsent(m, k -> super.ueventBaseEnv());
    }

    @Override
    protected List<AttributeGroup<?>> typeGroups() {
        return seFiles ? List.of(QUEUE_ATTRS, SE_ATTRS) : List.of(QUEUE_ATTRS);
    }

    public Object drvdata() {
        return drvdata;
    }

    public void setDrvdata(Object data) {
        this.drvdata = data;
    }

    public DevState devState() {
        try (Guard aqg = aqLock.lock()) {
            return devState;
        }
    }

    public SmState smState() {
        try (Guard aqg = aqLock.lock()) {
            return smState;
        }
    }

    int requestqCount() {
        try (Guard aqg = aqLock.lock()) {
            return devState.compareTo(DevState.UNINITIATED) > 0 ? requestqCount : 0;
        }
    }

    int pendingqCount() {
        try (Guard aqg = aqLock.lock()) {
            return devState.compareTo(DevState.UNINITIATED) > 0 ? pendingqCount : 0;
        }
    }

    void resetCounters() {
        try (Guard aqg = aqLock.lock()) {
            totalRequestCount = 0;
        }
    }

    private String requestCountShow() {
        try (Guard aqg = aqLock.lock()) {
            return devState.compareTo(DevState.UNINITIATED) > 0 ? totalRequestCount + "\n" : "-\n";
        }
    }

    private String resetShow() {
        try (Guard aqg = aqLock.lock()) {
            pollStateMachine();
            return switch (smState) {
                case RESET_START, RESET_WAIT -> "Reset in progress.\n";
                case WORKING, QUEUE_FULL -> "Reset Timer armed.\n";
                default -> "No Reset Timer set.\n";
            };
        }
    }

    /** {@code reset}: flush and restart the state machine (which runs only when initialised). */
    private void resetStore() {
        try (Guard aqg = aqLock.lock()) {
            requestqCount = 0;
            pendingqCount = 0;
            smState = SmState.RESET_START;
            runStateMachine();
        }
    }

    /** What the kernel's poll of a queue still in RESET_WAIT would have done by now. */
    private void pollStateMachine() {
        if (smState == SmState.RESET_WAIT) {
            runStateMachine();
        }
    }

    private String interruptShow() {
        try (Guard aqg = aqLock.lock()) {
            pollStateMachine();
            if (smState == SmState.SETIRQ_WAIT) {
                return "Enable Interrupt pending.\n";
            }
            TapqResult r = apBus.hardware().tapq(apqn, false);
            return r.status().irqEnabled() ? "Interrupts enabled.\n" : "Interrupts disabled.\n";
        }
    }

    private String apFunctionsShow() {
        TapqResult r = apBus.hardware().tapq(apqn, true);
        if (r.rc().code() > ApRc.BUSY.code() || r.info() == null) {
            throw KernelException.of(Errno.EIO, "ap: %s: ap_functions: TAPQ answered rc 0x%02x", name(), r.rc().code());
        }
        return String.format("0x%08X\n", r.info().functions());
    }

    private String driverOverrideShow() {
        try (Guard g = lock().lock()) {
            String o = driverOverride;
            return o == null ? "\n" : o + "\n";
        }
    }

    /**
     * {@code driver_override}: refused (EINVAL) while apmask/aqmask are not both all ones, or
     * for a value of a page or more; a trailing newline is stripped and an empty value clears.
     * Does not rebind.
     */
    private void driverOverrideStore(String buf) {
        apBus.setDriverOverride(this, buf);
    }

    static String parseOverride(String buf) {
        if (buf.length() >= KernfsOpenFile.PAGE_SIZE - 1) {
            throw KernelException.of(Errno.EINVAL, "ap: driver_override: value too long");
        }
        String s = Uevent.cstr(buf);
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        return s.isEmpty() ? null : s;
    }

    // ---------------------------------------------------------------- host state machine

    /**
     * {@code ap_queue_init_state}: the default driver takes the queue: operating, reset and
     * (with adapter interrupts) interrupts enabled.
     */
    public void initHostState() {
        try (Guard aqg = aqLock.lock()) {
            initState();
        }
    }

    /** Runs the (simulated, instantaneous) state machine when the queue is initialised and usable. */
    private void runStateMachine() {
        if (devState.compareTo(DevState.UNINITIATED) <= 0 || !config || chkstop) {
            return;
        }
        if (smState == SmState.RESET_START || smState == SmState.RESET_WAIT) {
            // The reset is not modelled step by step; its visible result is: the queue is idle
            // and (with adapter interrupts) has interrupts enabled. While the hardware still
            // resets the queue (a ZAPQ from an earlier remove), AQIC is refused: the kernel's
            // state machine keeps polling in RESET_WAIT, so stay there and try again when the
            // state is next looked at (pollStateMachine).
            if (smState == SmState.RESET_START && rapqFbit) {
                // ap_sm_reset: RAPQ with the F bit (an SE unbind), which the hardware runs
                // asynchronously: the state machine waits in RESET_WAIT until TAPQ is normal
                ApQueueStatus st = apBus.hardware().rapq(apqn, true);
                if (st.rc() != ApRc.NORMAL && st.rc() != ApRc.RESET_IN_PROGRESS) {
                    devState = DevState.ERROR;
                    return;
                }
                rapqFbit = false;
                smState = SmState.RESET_WAIT;
            }
            if (apBus.qci().apsb()) {
                // ap_sm_reset_wait: TAPQ with the T bit; the SE bind state is taken from it
                TapqResult r = apBus.hardware().tapq(apqn, true);
                if (smState == SmState.RESET_WAIT && (r.rc() == ApRc.RESET_IN_PROGRESS || r.rc() == ApRc.BUSY)) {
                    return;
                }
                if (r.rc() == ApRc.NORMAL && r.info() != null) {
                    seBstate = r.info().bindState();
                }
            }
            if (apBus.interruptsEnabled()) {
                ApRc rc = apBus.hardware().aqic(apqn, true, ApBus.HOST_ISC, apBus.nib(apqn)).rc();
                if (rc == ApRc.RESET_IN_PROGRESS || rc == ApRc.BUSY) {
                    smState = SmState.RESET_WAIT;
                    return;
                }
            }
            smState = SmState.IDLE;
        }
    }

    /** {@code ap_queue_prepare_remove} + {@code ap_queue_remove}: flush, ZAPQ, uninitialised. */
    void removeState() {
        try (Guard aqg = aqLock.lock()) {
            requestqCount = 0;
            pendingqCount = 0;
            apBus.hardware().zapq(apqn);
            devState = DevState.UNINITIATED;
        }
    }

    /**
     * Config/chkstop changes seen by a scan ({@code ap_scan_domains} on an existing queue), in
     * the kernel's order: a check-stop change is handled alone (an initialised queue goes to
     * ERROR, or is re-initialised when the check-stop ends) and a config change waits for the
     * next scan; a config change sends {@code CONFIG=}; an initialised queue in ERROR that is
     * configured again is re-initialised.
     */
    void updateState(boolean newConfig, boolean newChkstop) {
        String uevent = null;
        try (Guard aqg = aqLock.lock()) {
            if (newChkstop && !chkstop) {
                chkstop = true;
                if (devState.compareTo(DevState.UNINITIATED) > 0) {
                    devState = DevState.ERROR;
                }
                flush();
                return;
            } else if (!newChkstop && chkstop) {
                chkstop = false;
                if (devState.compareTo(DevState.UNINITIATED) > 0) {
                    initState();
                }
                return;
            }
            if (!newConfig && config) {
                config = false;
                if (devState.compareTo(DevState.UNINITIATED) > 0) {
                    devState = DevState.ERROR;
                }
                flush();
                uevent = "CONFIG=0";
            } else if (newConfig && !config) {
                config = true;
                if (devState.compareTo(DevState.UNINITIATED) > 0) {
                    initState();
                }
                uevent = "CONFIG=1";
            } else if (newConfig && devState == DevState.ERROR) {
                flush();
                initState();
            }
        }
        if (uevent != null) {
            uevent("change", uevent);
        }
    }

    /** {@code __ap_flush_queue}: pending and queued requests are answered with EAGAIN. */
    private void flush() {
        requestqCount = 0;
        pendingqCount = 0;
    }

    /** {@code _ap_queue_init_state}: operating again, the state machine starts with a reset. */
    private void initState() {
        devState = DevState.OPERATING;
        smState = SmState.RESET_START;
        assocIdx = ASSOC_IDX_INVALID;
        runStateMachine();
    }

    // ---------------------------------------------------------------- SE secure binding

    /** TAPQ with the T bit for an SE file; a response code above BUSY is EIO. */
    private TapqResult seTapq(String file, boolean strict) {
        TapqResult r = apBus.hardware().tapq(apqn, true);
        if ((strict ? r.rc() != ApRc.NORMAL : r.rc().code() > ApRc.BUSY.code()) || r.info() == null) {
            throw KernelException.of(Errno.EIO, "ap: %s: %s: TAPQ answered rc 0x%02x", name(), file, r.rc().code());
        }
        return r;
    }

    /** {@code se_bind_show}: "-" for a queue that cannot bind, else "bound" or "unbound" by TAPQ's bs. */
    private String seBindShow() {
        if (!supportsBind()) {
            return "-\n";
        }
        int bs = seTapq("se_bind", false).info().bindState();
        try (Guard aqg = aqLock.lock()) {
            seBstate = bs;
        }
        return bs == TapqInfo.BS_USABLE || bs == TapqInfo.BS_USABLE_NO_SECURE_KEY ? "bound\n" : "unbound\n";
    }

    /**
     * {@code se_bind_store} (ap_queue.c): EINVAL for a queue that cannot bind or a value that
     * is no boolean; 0 unbinds (flush, then the queue restarts with a full reset, RAPQ with the F
     * bit); 1 binds: EIO unless TAPQ is normal, EINVAL unless the queue is "available for
     * binding", EBUSY while the state machine is still before IDLE, EIO if BAPQ fails or the
     * bind state is not "usable" afterwards.
     */
    private void seBindStore(String buf) {
        if (!supportsBind()) {
            throw KernelException.of(Errno.EINVAL, "ap: %s: se_bind: the queue cannot be bound (not EP11 or accelerator)", name());
        }
        boolean value;
        try {
            value = org.apsysfs.kernel.Kstrtox.kstrtobool(buf);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "ap: %s: se_bind: '%s' is not a boolean", name(),
                    org.apsysfs.kernel.Printable.of(buf));
        }
        if (!value) {
            try (Guard aqg = aqLock.lock()) {
                flush();
                rapqFbit = true;
                initState();
            }
            return;
        }
        TapqResult r = apBus.hardware().tapq(apqn, true);
        if (r.rc() != ApRc.NORMAL || r.info() == null) {
            throw KernelException.of(Errno.EIO, "ap: %s: se_bind: TAPQ answered rc 0x%02x", name(), r.rc().code());
        }
        try (Guard aqg = aqLock.lock()) {
            pollStateMachine();
            seBstate = r.info().bindState();
            if (seBstate != TapqInfo.BS_AVAIL_FOR_BINDING) {
                throw KernelException.of(Errno.EINVAL, "ap: %s: se_bind: bind attempt with bs %d", name(), seBstate);
            }
            if (smState.compareTo(SmState.IDLE) < 0) {
                throw KernelException.of(Errno.EBUSY, "ap: %s: se_bind: the queue is still being reset", name());
            }
            ApQueueStatus st = apBus.hardware().bapq(apqn);
            if (st.rc() != ApRc.NORMAL) {
                throw KernelException.of(Errno.EIO, "ap: %s: se_bind: BAPQ answered rc 0x%02x", name(), st.rc().code());
            }
            assocIdx = ASSOC_IDX_INVALID;
            TapqResult v = apBus.hardware().tapq(apqn, true);
            if (v.rc() != ApRc.NORMAL || v.info() == null) {
                throw KernelException.of(Errno.EIO, "ap: %s: se_bind: TAPQ answered rc 0x%02x", name(), v.rc().code());
            }
            seBstate = v.info().bindState();
            if (seBstate != TapqInfo.BS_USABLE && seBstate != TapqInfo.BS_USABLE_NO_SECURE_KEY) {
                throw KernelException.of(Errno.EIO, "ap: %s: se_bind: BAPQ success, but bs shows %d", name(), seBstate);
            }
        }
    }

    /**
     * {@code se_associate_show}: "-" for a non-EP11 queue; "associated N", "association
     * pending" or "unassociated" by TAPQ's bs and the index last written.
     */
    private String seAssociateShow() {
        if (!supportsAssoc()) {
            return "-\n";
        }
        int bs = seTapq("se_associate", false).info().bindState();
        try (Guard aqg = aqLock.lock()) {
            seBstate = bs;
            if (smState == SmState.ASSOC_WAIT) {
                runAssocWait(bs);
            }
            switch (bs) {
                case TapqInfo.BS_USABLE:
                    if (assocIdx == ASSOC_IDX_INVALID) {
                        throw KernelException.of(Errno.EIO, "ap: %s: se_associate: usable but no association index", name());
                    }
                    return "associated " + assocIdx + "\n";
                case TapqInfo.BS_USABLE_NO_SECURE_KEY:
                    if (assocIdx != ASSOC_IDX_INVALID) {
                        return "association pending\n";
                    }
                    return "unassociated\n";
                default:
                    return "unassociated\n";
            }
        }
    }

    /**
     * {@code se_associate_store} (ap_queue.c): EINVAL for a non-EP11 queue; kstrtouint base 0
     * (EINVAL/ERANGE); an index of 0x10000 or more EINVAL; EIO unless TAPQ is normal; EINVAL
     * unless the queue is bound without a secure key ("usable, no secure key"); EBUSY unless the
     * state machine is IDLE; EIO if AAPQ fails. The association then completes asynchronously
     * (ASSOC_WAIT until TAPQ reports "usable").
     */
    private void seAssociateStore(String buf) {
        if (!supportsAssoc()) {
            throw KernelException.of(Errno.EINVAL, "ap: %s: se_associate: the queue cannot be associated (not EP11)", name());
        }
        long value;
        try {
            value = org.apsysfs.kernel.Kstrtox.kstrtouint(buf, 0);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "ap: %s: se_associate: '%s' is not an unsigned number", name(),
                    org.apsysfs.kernel.Printable.of(buf));
        }
        if (value >= ASSOC_IDX_INVALID) {
            throw KernelException.of(Errno.EINVAL, "ap: %s: se_associate: index %d is not below %d", name(), value,
                    ASSOC_IDX_INVALID);
        }
        TapqResult r = apBus.hardware().tapq(apqn, true);
        if (r.rc() != ApRc.NORMAL || r.info() == null) {
            throw KernelException.of(Errno.EIO, "ap: %s: se_associate: TAPQ answered rc 0x%02x", name(), r.rc().code());
        }
        try (Guard aqg = aqLock.lock()) {
            pollStateMachine();
            seBstate = r.info().bindState();
            if (seBstate != TapqInfo.BS_USABLE_NO_SECURE_KEY) {
                throw KernelException.of(Errno.EINVAL, "ap: %s: se_associate: association attempt with bs %d", name(), seBstate);
            }
            if (smState != SmState.IDLE) {
                throw KernelException.of(Errno.EBUSY, "ap: %s: se_associate: the queue is not idle", name());
            }
            ApQueueStatus st = apBus.hardware().aapq(apqn, (int) value);
            if (st.rc() != ApRc.NORMAL && st.rc() != ApRc.STATE_CHANGE_IN_PROGRESS) {
                throw KernelException.of(Errno.EIO, "ap: %s: se_associate: AAPQ answered rc 0x%02x", name(), st.rc().code());
            }
            smState = SmState.ASSOC_WAIT;
            assocIdx = (int) value;
            TapqResult v = apBus.hardware().tapq(apqn, true);
            if (v.info() != null) {
                runAssocWait(v.info().bindState());
            }
        }
    }

    /**
     * {@code ap_sm_assoc_wait}: "usable" ends the wait (IDLE); "usable, no secure key" keeps
     * waiting; anything else means a reset from outside: the index is dropped and the queue
     * goes to ERROR. The caller holds this.
     */
    private void runAssocWait(int bs) {
        seBstate = bs;
        if (bs == TapqInfo.BS_USABLE) {
            smState = SmState.IDLE;
        } else if (bs != TapqInfo.BS_USABLE_NO_SECURE_KEY) {
            assocIdx = ASSOC_IDX_INVALID;
            devState = DevState.ERROR;
        }
    }
}
