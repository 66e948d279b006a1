package org.apsysfs.kvm;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apsysfs.hardware.AdapterInfo;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.hardware.ApMachine;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.QactResult;
import org.apsysfs.hardware.Qci;
import org.apsysfs.hardware.QueueInfo;
import org.apsysfs.hardware.TapqInfo;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;

/**
 * The AP hardware as a KVM guest's kernel sees it: what the SIE interpretation of the AP
 * instructions gives the guest ({@code arch/s390/kvm/kvm-s390.c} sets up the CRYCB,
 * {@code priv.c handle_pqap} intercepts what is not interpreted).
 *
 * <ul>
 * <li>PQAP(QCI) answers the guest's CRYCB: APM/AQM/ADM as vfio_ap last set them
 *     ({@code kvm_arch_crypto_set_masks}, the shadow APCB), with the machine's facility bits.</li>
 * <li>TAPQ, RAPQ, ZAPQ, NQAP and QACT on an APQN inside the CRYCB are interpreted: they reach
 *     the host's queue, so a reset by the host (vfio_ap resetting a queue it unplugs) shows in
 *     the guest's TAPQ. Outside the CRYCB they answer Q_NOT_AVAIL.</li>
 * <li>AQIC is intercepted and handed to the PQAP hook vfio_ap installed
 *     ({@code handle_pqap} → {@code vfio_ap_irq_enable}); without a hook Q_NOT_AVAIL.</li>
 * <li>SCLP AP configure is not offered to guests ({@code sclp_ap_configure} finds no
 *     {@code has_ap_reconfig}): EOPNOTSUPP.</li>
 * <li>In a Secure Execution guest the Ultravisor keeps, per APQN, the SE bind state TAPQ
 *     reports in GR2 bits 16..17 ({@code struct ap_tapq_hwinfo} {@code bs}): EP11 and
 *     accelerator queues start "available for binding", BAPQ binds ("usable, no secure key"),
 *     AAPQ associates an EP11 queue ("usable"); RAPQ with the F bit, and any reset of the
 *     queue from outside the guest (a host ZAPQ), undo both.</li>
 * </ul>
 *
 * <p>Locking: the SE states are guarded by this object's monitor, which never calls out
 * except into the host machine (innermost).
 */
public final class GuestApView implements ApMachine {
    /** {@code ASSOC_IDX_INVALID} (ap_bus.h): association indexes are below it. */
    public static final int ASSOC_IDX_INVALID = 0x10000;

    private final ApHardware host;
    private final Kvm kvm;
    /** Guarded by this: the SE state of each APQN the guest bound. */
    private final Map<Integer, SeState> se = new HashMap<>();

    /** One bound queue: its bind state and the host reset count it was bound at. */
    private static final class SeState {
        int bs;
        long resetsSeen;
        int assocIdx = ASSOC_IDX_INVALID;

        SeState(int bs, long resetsSeen) {
            this.bs = bs;
            this.resetsSeen = resetsSeen;
        }
    }

    public GuestApView(ApHardware host, Kvm kvm) {
        this.host = host;
        this.kvm = kvm;
    }

    public Kvm kvm() {
        return kvm;
    }

    private boolean inCrycb(int apqn) {
        return kvm.hasCrycb() && kvm.apm().test(Apqn.apid(apqn)) && kvm.aqm().test(Apqn.apqi(apqn));
    }

    @Override
    public int maxAdapterId() {
        return host.maxAdapterId();
    }

    @Override
    public int maxDomainId() {
        return host.maxDomainId();
    }

    @Override
    public Optional<Qci> qci() {
        if (!kvm.hasCrycb()) {
            return Optional.empty();
        }
        // the AP secure-binding facility (APSB) is what the firmware offers a Secure Execution
        // guest with CEX8 adapters; the simulated machines are such machines, so an SE guest
        // sees it even where the host's own QCI does not report it
        return host.qci().map(q -> new Qci(q.apsc(), q.apxa(), q.qact(), q.rc8a(), q.apsb() || kvm.protectedVm(),
                q.na(), q.nd(), kvm.apm(), kvm.aqm(), kvm.adm()));
    }

    /** EP11 or accelerator: the queues an SE guest binds ({@code ap_q_supports_bind}, ap_queue.c). */
    private static boolean supportsBind(TapqInfo info) {
        return (info.functions() & (TapqInfo.FN_EP11 | TapqInfo.FN_ACCEL)) != 0;
    }

    /**
     * What PQAP(BAPQ) and PQAP(AAPQ) check first: only an SE guest has them, only for a queue
     * of its CRYCB that answers TAPQ, and only for a queue whose functions {@code fits}. Null
     * when the instruction may go on, else the status it ends with.
     */
    private ApQueueStatus seRefusal(int apqn, Predicate<TapqInfo> fits) {
        if (!kvm.protectedVm()) {
            return ApQueueStatus.of(ApRc.REQ_FAC_NOT_INST);
        }
        if (!inCrycb(apqn)) {
            return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
        }
        TapqResult r = host.tapq(apqn, true);
        if (!r.status().isNormal() || r.info() == null) {
            return r.status();
        }
        return fits.test(r.info()) ? null : ApQueueStatus.of(ApRc.REQ_FAC_NOT_INST);
    }

    /** The SE bind state of a queue the guest can reach (caller holds this). */
    private int bindState(int apqn) {
        SeState s = se.get(apqn);
        if (s != null && s.resetsSeen != host.resetCount(apqn)) {
            // reset from outside the guest: the binding (and any association) is gone
            se.remove(apqn);
            s = null;
        }
        return s == null ? TapqInfo.BS_AVAIL_FOR_BINDING : s.bs;
    }

    @Override
    public TapqResult tapq(int apqn, boolean withInfo) {
        if (!inCrycb(apqn)) {
            return new TapqResult(ApQueueStatus.of(ApRc.Q_NOT_AVAIL), null);
        }
        TapqResult r = host.tapq(apqn, withInfo);
        TapqInfo info = r.info();
        if (info == null || !kvm.protectedVm() || !supportsBind(info)) {
            return r;
        }
        int bs;
        synchronized (this) {
            bs = bindState(apqn);
        }
        int fn = (info.functions() & ~TapqInfo.FN_BS_MASK) | (bs << 14);
        return new TapqResult(r.status(), new TapqInfo(fn, info.apType(), info.domains(), info.ml(), info.qd()));
    }

    @Override
    public ApQueueStatus rapq(int apqn) {
        return rapq(apqn, false);
    }

    @Override
    public ApQueueStatus rapq(int apqn, boolean fbit) {
        if (!inCrycb(apqn)) {
            return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
        }
        synchronized (this) {
            ApQueueStatus st = host.rapq(apqn);
            guestReset(apqn, st, fbit);
            return st;
        }
    }

    @Override
    public ApQueueStatus zapq(int apqn) {
        if (!inCrycb(apqn)) {
            return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
        }
        synchronized (this) {
            ApQueueStatus st = host.zapq(apqn);
            guestReset(apqn, st, false);
            return st;
        }
    }

    /** The guest's own reset: without the F bit the binding stays (caller holds this). */
    private void guestReset(int apqn, ApQueueStatus st, boolean fbit) {
        SeState s = se.get(apqn);
        if (s == null || !st.isNormal()) {
            return;
        }
        if (fbit) {
            se.remove(apqn);
        } else if (s.resetsSeen == host.resetCount(apqn) - 1) {
            s.resetsSeen++;
        }
    }

    /** PQAP(BAPQ) (ap.h {@code ap_bapq}): binds an EP11/accelerator queue available for binding. */
    @Override
    public ApQueueStatus bapq(int apqn) {
        ApQueueStatus refused = seRefusal(apqn, GuestApView::supportsBind);
        if (refused != null) {
            return refused;
        }
        synchronized (this) {
            if (bindState(apqn) != TapqInfo.BS_AVAIL_FOR_BINDING) {
                return ApQueueStatus.of(ApRc.Q_BIND_ERROR);
            }
            se.put(apqn, new SeState(TapqInfo.BS_USABLE_NO_SECURE_KEY, host.resetCount(apqn)));
        }
        return ApQueueStatus.emptyQueue(false, ApRc.NORMAL);
    }

    /**
     * PQAP(AAPQ) (ap.h {@code ap_aapq}): associates a bound EP11 queue with the secret at
     * {@code index}; the association completes at once (TAPQ then reports "usable").
     */
    @Override
    public ApQueueStatus aapq(int apqn, int index) {
        ApQueueStatus refused = seRefusal(apqn, info -> (info.functions() & TapqInfo.FN_EP11) != 0);
        if (refused != null) {
            return refused;
        }
        synchronized (this) {
            if (bindState(apqn) != TapqInfo.BS_USABLE_NO_SECURE_KEY) {
                return ApQueueStatus.of(ApRc.Q_NOT_AVAIL_FOR_ASSOC);
            }
            SeState s = se.get(apqn);
            s.bs = TapqInfo.BS_USABLE;
            s.assocIdx = index;
        }
        return ApQueueStatus.emptyQueue(false, ApRc.NORMAL);
    }

    @Override
    public boolean protectedGuest() {
        return kvm.protectedVm();
    }

    /**
     * PQAP(AQIC) is intercepted ({@code handle_pqap}, priv.c): GR0 carries the function code 3
     * and the APQN, GR1 the interruption controls (IR bit, ISC), GR2 the guest address of the
     * notification indicator; vfio_ap's hook answers with the status word.
     */
    @Override
    public ApQueueStatus aqic(int apqn, boolean enable, int isc, long nibAddress) {
        long gr0 = (3L << 24) | (apqn & 0xffff);
        long gr1 = enable ? (1L << (63 - 16)) | (isc & 7) : 0;
        // The intercept is handled by the host in its own context (the vCPU thread in KVM),
        // where the guest kernel's locks do not exist: run it on a host thread, so that the
        // guest's ap_scan_bus_mutex or device lock never precede the host's locks.
        java.util.concurrent.Future<ApQueueStatus> f = INTERCEPTS.submit(() -> {
            try (Guard g = kvm.pqapHookRwsem().read()) {
                Kvm.PqapHook hook = kvm.pqapHook();
                if (hook == null) {
                    return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
                }
                return ApQueueStatus.ofWord(hook.handle(kvm, gr0, gr1, nibAddress));
            }
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApQueueStatus.of(ApRc.BUSY);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** Host threads that handle the guests' intercepted instructions (KVM's vCPU context). */
    private static final java.util.concurrent.ExecutorService INTERCEPTS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "kvm-pqap-intercept");
                t.setDaemon(true);
                return t;
            });

    @Override
    public QactResult qact(int apqn, ApMode mode, int category) {
        if (!inCrycb(apqn)) {
            return new QactResult(ApQueueStatus.of(ApRc.Q_NOT_AVAIL), 0);
        }
        return host.qact(apqn, mode, category);
    }

    @Override
    public ApQueueStatus nqap(int apqn) {
        if (!inCrycb(apqn)) {
            return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
        }
        return host.nqap(apqn);
    }

    /** An adapter of the guest's configuration, as TAPQ describes it; null outside the CRYCB. */
    @Override
    public AdapterInfo adapter(int apid) {
        if (!kvm.hasCrycb() || !kvm.apm().test(apid & 0xff)) {
            return null;
        }
        AdapterInfo a = host.adapter(apid);
        return a == null ? null : new AdapterInfo(a.spec(), true, a.configured(), a.checkstopped());
    }

    @Override
    public QueueInfo queueInfo(int apqn) {
        return host.queueInfo(apqn);
    }

    @Override
    public Map<String, String> mkvps(int apqn) {
        return inCrycb(apqn) ? host.mkvps(apqn) : Map.of();
    }

    @Override
    public void sclpConfigure(int apid, boolean on) {
        throw KernelException.of(Errno.EOPNOTSUPP, "sclp: AP %sconfigure of adapter %d: not available to a KVM guest",
                on ? "" : "de", apid);
    }

    /** Guests have AP adapter interruptions when KVM gave them a GISA (the GIB forwards them). */
    @Override
    public boolean adapterInterrupts() {
        return kvm.hasGisa();
    }
}
