package org.apsysfs.bus;

import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.base.Uevent;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * An AP queue device, {@code /sys/devices/ap/cardXX/XX.YYYY} ({@code struct ap_queue}).
 *
 * <p>Locking: the host-side state ({@link #devState}, {@link #smState}, counters) is guarded
 * by this object's monitor ({@code aq->lock}); {@link #driverOverride} changes under
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

    private final ApCard card;
    private final int apqn;
    volatile boolean config;
    volatile boolean chkstop;
    /** Guarded by this. */
    private DevState devState = DevState.UNINITIATED;
    /** Guarded by this. */
    private SmState smState = SmState.RESET_START;
    /** Guarded by this. */
    private long totalRequestCount;
    /** Guarded by this. */
    private int requestqCount;
    /** Guarded by this. */
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
    public synchronized boolean usable() {
        return config && !chkstop && devState == DevState.OPERATING;
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
        return List.of(QUEUE_ATTRS);
    }

    public Object drvdata() {
        return drvdata;
    }

    public void setDrvdata(Object data) {
        this.drvdata = data;
    }

    public synchronized DevState devState() {
        return devState;
    }

    public synchronized SmState smState() {
        return smState;
    }

    synchronized int requestqCount() {
        return devState.compareTo(DevState.UNINITIATED) > 0 ? requestqCount : 0;
    }

    synchronized int pendingqCount() {
        return devState.compareTo(DevState.UNINITIATED) > 0 ? pendingqCount : 0;
    }

    synchronized void resetCounters() {
        totalRequestCount = 0;
    }

    private synchronized String requestCountShow() {
        return devState.compareTo(DevState.UNINITIATED) > 0 ? totalRequestCount + "\n" : "-\n";
    }

    private synchronized String resetShow() {
        pollStateMachine();
        return switch (smState) {
            case RESET_START, RESET_WAIT -> "Reset in progress.\n";
            case WORKING, QUEUE_FULL -> "Reset Timer armed.\n";
            default -> "No Reset Timer set.\n";
        };
    }

    /** {@code reset}: flush and restart the state machine (which runs only when initialised). */
    private synchronized void resetStore() {
        requestqCount = 0;
        pendingqCount = 0;
        smState = SmState.RESET_START;
        runStateMachine();
    }

    /** What the kernel's poll of a queue still in RESET_WAIT would have done by now. */
    private void pollStateMachine() {
        if (smState == SmState.RESET_WAIT) {
            runStateMachine();
        }
    }

    private synchronized String interruptShow() {
        pollStateMachine();
        if (smState == SmState.SETIRQ_WAIT) {
            return "Enable Interrupt pending.\n";
        }
        TapqResult r = apBus.hardware().tapq(apqn, false);
        return r.status().irqEnabled() ? "Interrupts enabled.\n" : "Interrupts disabled.\n";
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
    public synchronized void initHostState() {
        devState = DevState.OPERATING;
        smState = SmState.RESET_START;
        runStateMachine();
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
            if (apBus.interruptsEnabled()) {
                ApRc rc = apBus.hardware().aqic(apqn, true, ApBus.HOST_ISC, ApBus.hostNib(apqn)).rc();
                if (rc == ApRc.RESET_IN_PROGRESS || rc == ApRc.BUSY) {
                    smState = SmState.RESET_WAIT;
                    return;
                }
            }
            smState = SmState.IDLE;
        }
    }

    /** {@code ap_queue_prepare_remove} + {@code ap_queue_remove}: flush, ZAPQ, uninitialised. */
    synchronized void removeState() {
        requestqCount = 0;
        pendingqCount = 0;
        apBus.hardware().zapq(apqn);
        devState = DevState.UNINITIATED;
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
        synchronized (this) {
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
        runStateMachine();
    }
}
