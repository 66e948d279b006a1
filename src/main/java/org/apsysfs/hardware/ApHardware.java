package org.apsysfs.hardware;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockRank;

/**
 * The simulated machine's AP hardware: the host AP configuration (what QCI reports), the
 * installed adapters and their queues, and the AP instructions (PQAP TAPQ/RAPQ/ZAPQ/AQIC/QCI/QACT
 * and a minimal NQAP) with the architecture's response codes.
 *
 * <p>Locking: one private lock ({@code ap_hardware}, known to the lock validator) guards every field (configuration masks, adapter states, queue
 * states, faults). Every public method takes it for its whole duration and never calls out while
 * holding it, so callers may hold their own locks when calling in. Time-dependent state (a reset
 * in progress) is evaluated lazily against the injected {@link Clock}; there are no threads.
 *
 * <p>Response-code precedence for an APQN (TAPQ, RAPQ, ZAPQ, AQIC, NQAP): APQN outside the
 * configuration (IDs above the max, APM or AQM bit clear, no adapter installed) → Q_NOT_AVAIL;
 * an injected fault for that instruction → its code; adapter deconfigured → DECONFIGURED;
 * check-stopped → CHECKSTOPPED; reset still in progress → RESET_IN_PROGRESS (RAPQ/ZAPQ do not
 * restart it); otherwise the instruction's normal result.
 */
public final class ApHardware implements ApMachine {
    private static final long NO_RESET = Long.MIN_VALUE;

    /** The machine's one lock (rank {@link LockRank#AP_HARDWARE}, below every lock of the kernel's). */
    private final KMutex lock = new KMutex(LockRank.AP_HARDWARE.cls());
    private final Clock clock;
    private final MachineSpec spec;

    // ---- all below guarded by lock ----
    private ApMask apm;
    private ApMask aqm;
    private ApMask adm;
    private final Adapter[] adapters = new Adapter[256];
    private final Queue[] queues = new Queue[65536];
    private long resetLatencyNanos;
    private final Map<Integer, Errno> sclpFaults = new LinkedHashMap<>();

    /** Per adapter hardware state. */
    private static final class Adapter {
        AdapterSpec spec;
        /** What TAPQ with the T bit tells about the adapter (made from the spec once). */
        final TapqInfo info;
        boolean configured;
        boolean checkstopped;

        Adapter(AdapterSpec spec) {
            this.spec = spec;
            this.info = new TapqInfo(spec.functions() | ((spec.seBindState() & 3) << 14), spec.rawType(),
                    spec.domainsField(), spec.ml(), spec.qd());
            this.configured = spec.configured();
            this.checkstopped = spec.checkstopped();
        }
    }

    /** The state of a queue no instruction has changed yet (read only). */
    private static final Queue UNTOUCHED = new Queue();

    /** Per queue hardware state, created on first use. */
    private static final class Queue {
        long resetUntil = NO_RESET;
        boolean irqEnabled;
        int isc;
        long nib;
        long requests;
        /** Resets (RAPQ/ZAPQ) started on the queue since the machine started. */
        long resets;
        /** -1 = machine default. */
        long resetDurationOverride = -1;
        /** A reset is under way: its end clears the interruption registration. */
        boolean clearIrqAtResetEnd;
        /** Injected faults by instruction; null until one is injected. */
        Fault[] faults;

        void clearIrq() {
            irqEnabled = false;
            isc = 0;
            nib = 0;
        }
    }

    /** An injected response code, for {@code remaining} more calls (-1 = until cleared). */
    private static final class Fault {
        final ApRc rc;
        int remaining;

        Fault(ApRc rc, int remaining) {
            this.rc = rc;
            this.remaining = remaining;
        }
    }

    /** Builds the machine in its initial state: every installed adapter in the APM. */
    public ApHardware(MachineSpec spec, Clock clock) {
        this.spec = spec;
        this.clock = clock;
        this.resetLatencyNanos = spec.resetLatencyNanos();
        for (AdapterSpec a : spec.adapters()) {
            adapters[a.id()] = new Adapter(a);
        }
        this.apm = spec.adapterMask();
        this.aqm = spec.usageDomains();
        this.adm = spec.controlDomains();
    }

    /** The description the machine was built from (its initial state). */
    public MachineSpec spec() {
        return spec;
    }

    /** The highest adapter ID the kernel uses on this machine (Na with APXA, else 63). */
    @Override
    public int maxAdapterId() {
        return spec.maxAdapterId();
    }

    /** The highest domain ID the kernel uses on this machine (Nd with APXA, else 15). */
    @Override
    public int maxDomainId() {
        return spec.maxDomainId();
    }

    // ------------------------------------------------------------------ instructions

    /** PQAP(QCI): the current configuration, or empty if the machine has no QCI. */
    @Override
    public Optional<Qci> qci() {
        if (!spec.qciInstalled()) {
            return Optional.empty();
        }
        try (Guard hwg = lock.lock()) {
            return Optional.of(new Qci(spec.has(ApFeature.APSC), spec.has(ApFeature.APXA),
                    spec.has(ApFeature.QACT), spec.has(ApFeature.RC8A), spec.has(ApFeature.APSB),
                    spec.na(), spec.nd(), apm, aqm, adm));
        }
    }

    /**
     * PQAP(TAPQ). With {@code withInfo} (the T bit, as the kernel always issues it when APFT is
     * available) GR2 information is returned for NORMAL, RESET_IN_PROGRESS, DECONFIGURED,
     * CHECKSTOPPED and BUSY; otherwise {@code info} is null.
     */
    @Override
    public TapqResult tapq(int apqn, boolean withInfo) {
        try (Guard hwg = lock.lock()) {
            Adapter a = configured(apqn);
            if (a == null) {
                return new TapqResult(ApQueueStatus.of(ApRc.Q_NOT_AVAIL), null);
            }
            // an untouched queue needs no state to answer (and TAPQ makes none)
            Queue q = queues[apqn & 0xffff];
            if (q == null) {
                q = UNTOUCHED;
            }
            ApRc fault = takeFault(q, ApInstruction.TAPQ);
            ApQueueStatus st;
            if (fault != null) {
                st = ApQueueStatus.of(fault);
            } else {
                st = state(a, q);
            }
            TapqInfo info = null;
            if (withInfo) {
                switch (st.rc()) {
                    case NORMAL, RESET_IN_PROGRESS, DECONFIGURED, CHECKSTOPPED, BUSY -> info = a.info;
                    default -> info = null;
                }
            }
            return new TapqResult(st, info);
        }
    }

    /** PQAP(RAPQ): reset the queue (asynchronously; see {@link #zapq}). */
    @Override
    public ApQueueStatus rapq(int apqn) {
        return reset(apqn, ApInstruction.RAPQ);
    }

    /**
     * PQAP(ZAPQ): reset and zeroize the queue. On NORMAL the reset has started: interruptions
     * are disabled and the registration (ISC, NIB) dropped at once, and TAPQ answers
     * RESET_IN_PROGRESS until the reset latency has passed on the clock. A ZAPQ while a reset
     * is still in progress answers RESET_IN_PROGRESS and changes nothing.
     */
    @Override
    public ApQueueStatus zapq(int apqn) {
        return reset(apqn, ApInstruction.ZAPQ);
    }

    /**
     * PQAP(AQIC): enable (with ISC 0..7 and the notification-indicator address) or disable
     * interruptions for the queue. Enabling needs a non-zero NIB address (else INVALID_ADDRESS)
     * and answers OTHERWISE_CHANGED if interruptions are already enabled; disabling answers
     * NORMAL also when they were already off.
     */
    @Override
    public ApQueueStatus aqic(int apqn, boolean enable, int isc, long nibAddress) {
        try (Guard hwg = lock.lock()) {
            Adapter a = configured(apqn);
            if (a == null) {
                return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
            }
            Queue q = queue(apqn);
            ApRc fault = takeFault(q, ApInstruction.AQIC);
            if (fault != null) {
                return status(q, fault);
            }
            ApQueueStatus st = state(a, q);
            if (!st.isNormal()) {
                return st;
            }
            if (enable) {
                if (q.irqEnabled) {
                    return status(q, ApRc.OTHERWISE_CHANGED);
                }
                if (nibAddress == 0) {
                    return status(q, ApRc.INVALID_ADDRESS);
                }
                q.irqEnabled = true;
                q.isc = isc & 7;
                q.nib = nibAddress;
            } else {
                q.clearIrq();
            }
            return status(q, ApRc.NORMAL);
        }
    }

    /**
     * PQAP(QACT): the highest compatible AP type {@code <= category} for the adapter of
     * {@code apqn} in the given mode. Without the QACT facility: REQ_FAC_NOT_INST. The result is
     * 0 (with NORMAL) if the adapter cannot be mapped, runs in another mode or the category is
     * below 10.
     */
    @Override
    public QactResult qact(int apqn, ApMode mode, int category) {
        try (Guard hwg = lock.lock()) {
            if (!spec.has(ApFeature.QACT)) {
                return new QactResult(ApQueueStatus.of(ApRc.REQ_FAC_NOT_INST), 0);
            }
            Adapter a = configured(apqn);
            if (a == null) {
                return new QactResult(ApQueueStatus.of(ApRc.Q_NOT_AVAIL), 0);
            }
            if (!a.configured) {
                return new QactResult(ApQueueStatus.of(ApRc.DECONFIGURED), 0);
            }
            if (a.checkstopped) {
                return new QactResult(ApQueueStatus.of(ApRc.CHECKSTOPPED), 0);
            }
            int compat = a.spec.rawType() <= 14 ? a.spec.rawType() : a.spec.compatType();
            if (mode != a.spec.mode() || compat < 10) {
                compat = 0;
            } else {
                compat = Math.min(compat, category);
                if (compat < 10) {
                    compat = 0;
                }
            }
            return new QactResult(ApQueueStatus.of(ApRc.NORMAL), compat);
        }
    }

    /**
     * A minimal NQAP: the request is accepted (and counted) or refused with the queue's state;
     * replies are not modelled (the request completes at once).
     */
    @Override
    public ApQueueStatus nqap(int apqn) {
        try (Guard hwg = lock.lock()) {
            Adapter a = configured(apqn);
            if (a == null) {
                return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
            }
            Queue q = queue(apqn);
            ApRc fault = takeFault(q, ApInstruction.NQAP);
            if (fault != null) {
                return status(q, fault);
            }
            ApQueueStatus st = state(a, q);
            if (st.isNormal()) {
                q.requests++;
            }
            return st;
        }
    }

    // ------------------------------------------------------------------ observation

    /** The installed adapter {@code apid} (whether in the configuration or not), or null. */
    @Override
    public AdapterInfo adapter(int apid) {
        try (Guard hwg = lock.lock()) {
            Adapter a = apid >= 0 && apid < 256 ? adapters[apid] : null;
            return a == null ? null : new AdapterInfo(a.spec, apm.test(apid), a.configured, a.checkstopped);
        }
    }

    /** IDs of all installed adapters (a superset of the APM). */
    public ApMask installedAdapters() {
        try (Guard hwg = lock.lock()) {
            ApMask m = ApMask.empty();
            for (int i = 0; i < 256; i++) {
                if (adapters[i] != null) {
                    m = m.with(i);
                }
            }
            return m;
        }
    }

    /** The hardware state of queue {@code apqn} (any APQN; untouched queues show defaults). */
    @Override
    public QueueInfo queueInfo(int apqn) {
        try (Guard hwg = lock.lock()) {
            Queue q = queues[apqn & 0xffff];
            if (q == null) {
                return new QueueInfo(apqn, false, false, 0, 0, 0);
            }
            return new QueueInfo(apqn, resetting(q), q.irqEnabled, q.isc, q.nib, q.requests);
        }
    }

    /**
     * How many resets (RAPQ/ZAPQ, by anyone) were started on queue {@code apqn}: a guest's view
     * of the queue learns from it that the host reset the queue under it.
     */
    public long resetCount(int apqn) {
        try (Guard hwg = lock.lock()) {
            Queue q = queues[apqn & 0xffff];
            return q == null ? 0 : q.resets;
        }
    }

    /**
     * The master-key verification patterns of a CCA or EP11 queue, in print order: register
     * name ("AES NEW", ..., "WK CUR") to value text ("valid 0x0123456789abcdef", "empty -").
     * A {@code *} in the adapter's template becomes a pattern derived from the APQN (16 hex
     * digits; 32 for ASYM, 64 for WK). Empty for accelerators and unknown adapters.
     */
    @Override
    public Map<String, String> mkvps(int apqn) {
        AdapterSpec s;
        try (Guard hwg = lock.lock()) {
            Adapter a = adapters[Apqn.apid(apqn)];
            if (a == null) {
                return Map.of();
            }
            s = a.spec;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.mkvps().entrySet()) {
            String v = e.getValue();
            if (v.endsWith("*")) {
                int digits = e.getKey().startsWith("WK") ? 64 : e.getKey().startsWith("ASYM") ? 32 : 16;
                v = v.substring(0, v.length() - 1) + pattern(apqn, e.getKey(), digits);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    // ------------------------------------------------------------------ saved state

    /**
     * The machine as it is now, in the form of a machine description: every installed adapter
     * with its current SCLP configuration and check-stop state, the current AQM and ADM and the
     * reset latency. Booting it (plus taking {@link #adaptersOutOfConfig()} out of the APM)
     * gives this host configuration again.
     */
    public MachineSpec currentSpec() {
        try (Guard hwg = lock.lock()) {
            java.util.List<AdapterSpec> list = new java.util.ArrayList<>();
            for (Adapter a : adapters) {
                if (a != null) {
                    AdapterSpec s = a.spec;
                    list.add(new AdapterSpec(s.id(), s.model(), s.rawType(), s.compatType(), s.functions(), s.qd(),
                            s.ml(), s.domainsField(), s.seBindState(), a.configured, a.checkstopped, s.serial(),
                            s.ep11(), s.mkvps()));
                }
            }
            return new MachineSpec(spec.name(), spec.qciInstalled(), spec.features(), spec.na(), spec.nd(),
                    resetLatencyNanos, spec.sclpConfigurable(), list, aqm, adm);
        }
    }

    /** Installed adapters that are not in the APM (taken out of the host configuration). */
    public ApMask adaptersOutOfConfig() {
        try (Guard hwg = lock.lock()) {
            ApMask m = ApMask.empty();
            for (Adapter a : adapters) {
                if (a != null && !apm.test(a.spec.id())) {
                    m = m.with(a.spec.id());
                }
            }
            return m;
        }
    }

    /**
     * The injected queue faults in the syntax of the {@code faults} control file, one command
     * per line in APQN order: {@code reset_delay AA.DDDD MS} and {@code INSN AA.DDDD RC [COUNT]}
     * with the calls still left (no COUNT: until cleared).
     */
    public java.util.List<String> faultCommands() {
        try (Guard hwg = lock.lock()) {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < queues.length; i++) {
                Queue q = queues[i];
                if (q == null) {
                    continue;
                }
                String apqn = Apqn.name(i);
                if (q.resetDurationOverride >= 0) {
                    out.add("reset_delay " + apqn + " " + q.resetDurationOverride / 1_000_000L);
                }
                for (ApInstruction ins : ApInstruction.values()) {
                    Fault f = q.faults == null ? null : q.faults[ins.ordinal()];
                    if (f != null) {
                        out.add(ins.name().toLowerCase(java.util.Locale.ROOT) + " " + apqn + " " + f.rc.name()
                                + (f.remaining > 0 ? " " + f.remaining : ""));
                    }
                }
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ host configuration

    /** Puts installed adapter {@code apid} (back) into the APM. */
    public void addAdapter(int apid) {
        try (Guard hwg = lock.lock()) {
            if (adapters[apid] == null) {
                throw new IllegalArgumentException(String.format("no adapter 0x%02x installed", apid));
            }
            checkId(apid, spec.maxAdapterId(), "adapter");
            apm = apm.with(apid);
        }
    }

    /** Installs (or replaces) an adapter and puts it into the APM; its queues start fresh. */
    public void addAdapter(AdapterSpec adapter) {
        try (Guard hwg = lock.lock()) {
            checkId(adapter.id(), spec.maxAdapterId(), "adapter");
            adapters[adapter.id()] = new Adapter(adapter);
            dropQueues(adapter.id());
            apm = apm.with(adapter.id());
        }
    }

    /** Takes adapter {@code apid} out of the APM (it stays installed); its queue state is lost. */
    public void removeAdapter(int apid) {
        try (Guard hwg = lock.lock()) {
            apm = apm.without(apid);
            dropQueues(apid);
        }
    }

    public void addUsageDomain(int apqi) {
        try (Guard hwg = lock.lock()) {
            checkId(apqi, spec.maxDomainId(), "domain");
            aqm = aqm.with(apqi);
        }
    }

    /** Takes a usage domain out of the AQM; the state of its queues is lost. */
    public void removeUsageDomain(int apqi) {
        try (Guard hwg = lock.lock()) {
            aqm = aqm.without(apqi);
            for (int apid = 0; apid < 256; apid++) {
                queues[Apqn.of(apid, apqi)] = null;
            }
        }
    }

    public void addControlDomain(int apqi) {
        try (Guard hwg = lock.lock()) {
            checkId(apqi, spec.maxDomainId(), "domain");
            adm = adm.with(apqi);
        }
    }

    public void removeControlDomain(int apqi) {
        try (Guard hwg = lock.lock()) {
            adm = adm.without(apqi);
        }
    }

    /**
     * SCLP configure ({@code on}) or deconfigure an adapter, as a card {@code config} write does.
     * Deconfiguring drops every queue's interruption registration and pending reset.
     *
     * @throws KernelException EOPNOTSUPP if the machine has no SCLP AP configuration, EIO if the
     *     adapter is not installed, or the errno injected with {@link #injectSclpError}
     */
    @Override
    public void sclpConfigure(int apid, boolean on) {
        try (Guard hwg = lock.lock()) {
            if (!spec.sclpConfigurable()) {
                throw KernelException.bare(Errno.EOPNOTSUPP);
            }
            Errno e = sclpFaults.get(apid);
            if (e != null) {
                throw KernelException.bare(e);
            }
            Adapter a = apid >= 0 && apid < 256 ? adapters[apid] : null;
            if (a == null) {
                throw KernelException.bare(Errno.EIO);
            }
            if (a.configured != on) {
                a.configured = on;
                resetQueueStates(apid);
            }
        }
    }

    /** Check-stops an adapter or ends the check-stop (queue states are lost either way). */
    public void setCheckstop(int apid, boolean checkstopped) {
        try (Guard hwg = lock.lock()) {
            Adapter a = adapters[apid];
            if (a == null) {
                throw new IllegalArgumentException(String.format("no adapter 0x%02x installed", apid));
            }
            if (a.checkstopped != checkstopped) {
                a.checkstopped = checkstopped;
                resetQueueStates(apid);
            }
        }
    }

    /** Sets the machine-wide reset latency (how long ZAPQ/RAPQ resets stay in progress). */
    public void setResetLatencyNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative latency");
        }
        try (Guard hwg = lock.lock()) {
            resetLatencyNanos = nanos;
        }
    }

    // ------------------------------------------------------------------ fault injection

    /**
     * Makes {@code instruction} on {@code apqn} answer {@code rc} for the next {@code count}
     * calls ({@code count == -1}: until cleared). The fault applies only while the APQN is in
     * the configuration; a faulted instruction has no other effect.
     */
    public void injectFault(int apqn, ApInstruction instruction, ApRc rc, int count) {
        if (count == 0 || count < -1) {
            throw new IllegalArgumentException("count must be >= 1 or -1 (until cleared)");
        }
        try (Guard hwg = lock.lock()) {
            Queue q = queue(apqn);
            if (q.faults == null) {
                q.faults = new Fault[ApInstruction.values().length];
            }
            q.faults[instruction.ordinal()] = new Fault(rc, count);
        }
    }

    @Override
    public boolean permanentFault(int apqn, ApInstruction instruction) {
        try (Guard hwg = lock.lock()) {
            Queue q = queues[apqn & 0xffff];
            Fault f = q == null || q.faults == null ? null : q.faults[instruction.ordinal()];
            return f != null && f.remaining == -1;
        }
    }

    /**
     * Every reset of {@code apqn} started from now on stays in progress for {@code nanos}
     * ({@code Long.MAX_VALUE}: forever) instead of the machine's latency, until cleared.
     */
    public void injectResetDuration(int apqn, long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative duration");
        }
        try (Guard hwg = lock.lock()) {
            queue(apqn).resetDurationOverride = nanos;
        }
    }

    /** SCLP (de)configure of {@code apid} fails with {@code errno} until cleared (null clears). */
    public void injectSclpError(int apid, Errno errno) {
        try (Guard hwg = lock.lock()) {
            if (errno == null) {
                sclpFaults.remove(apid);
            } else {
                sclpFaults.put(apid, errno);
            }
        }
    }

    /** Removes every fault and reset-duration override of {@code apqn}. */
    public void clearFaults(int apqn) {
        try (Guard hwg = lock.lock()) {
            Queue q = queues[apqn & 0xffff];
            if (q != null) {
                q.faults = null;
                q.resetDurationOverride = -1;
            }
        }
    }

    /** Removes every injected fault on the machine (queue, reset-duration and SCLP). */
    public void clearAllFaults() {
        try (Guard hwg = lock.lock()) {
            for (Queue q : queues) {
                if (q != null) {
                    q.faults = null;
                    q.resetDurationOverride = -1;
                }
            }
            sclpFaults.clear();
        }
    }

    // ------------------------------------------------------------------ internals (lock held)

    private ApQueueStatus reset(int apqn, ApInstruction ins) {
        try (Guard hwg = lock.lock()) {
            Adapter a = configured(apqn);
            if (a == null) {
                return ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
            }
            Queue q = queue(apqn);
            ApRc fault = takeFault(q, ins);
            if (fault != null) {
                return status(q, fault);
            }
            ApQueueStatus st = state(a, q);
            if (!st.isNormal()) {
                return st;
            }
            q.resets++;
            long d = q.resetDurationOverride >= 0 ? q.resetDurationOverride : resetLatencyNanos;
            if (d > 0) {
                // the reset (and with it the interruption registration) ends asynchronously: until
                // then the adapter may still post interrupts to the registered NIB
                long now = clock.nanoTime();
                q.resetUntil = d == Long.MAX_VALUE || now > Long.MAX_VALUE - d ? Long.MAX_VALUE : now + d;
                q.clearIrqAtResetEnd = true;
            } else {
                q.clearIrq();
            }
            return ApQueueStatus.emptyQueue(false, ApRc.NORMAL);
        }
    }

    /** The queue's own state as a status: DECONFIGURED/CHECKSTOPPED/RESET_IN_PROGRESS/NORMAL. */
    private ApQueueStatus state(Adapter a, Queue q) {
        if (!a.configured) {
            return ApQueueStatus.of(ApRc.DECONFIGURED);
        }
        if (a.checkstopped) {
            return ApQueueStatus.of(ApRc.CHECKSTOPPED);
        }
        if (resetting(q)) {
            return ApQueueStatus.emptyQueue(q.irqEnabled, ApRc.RESET_IN_PROGRESS);
        }
        return status(q, ApRc.NORMAL);
    }

    private static ApQueueStatus status(Queue q, ApRc rc) {
        return ApQueueStatus.emptyQueue(q.irqEnabled, rc);
    }

    private boolean resetting(Queue q) {
        if (q.resetUntil == NO_RESET) {
            return false;
        }
        if (q.resetUntil == Long.MAX_VALUE || clock.nanoTime() < q.resetUntil) {
            return true;
        }
        q.resetUntil = NO_RESET;
        if (q.clearIrqAtResetEnd) {
            q.clearIrqAtResetEnd = false;
            q.clearIrq();
        }
        return false;
    }

    /** The adapter if the APQN is within the configuration, else null. */
    private Adapter configured(int apqn) {
        if ((apqn & ~0xffff) != 0) {
            return null;
        }
        int apid = Apqn.apid(apqn);
        int apqi = Apqn.apqi(apqn);
        if (apid > spec.maxAdapterId() || apqi > spec.maxDomainId()) {
            return null;
        }
        Adapter a = adapters[apid];
        if (a == null || !apm.test(apid) || !aqm.test(apqi)) {
            return null;
        }
        return a;
    }

    private Queue queue(int apqn) {
        int i = apqn & 0xffff;
        Queue q = queues[i];
        if (q == null) {
            q = new Queue();
            queues[i] = q;
        }
        return q;
    }

    private static ApRc takeFault(Queue q, ApInstruction ins) {
        if (q.faults == null) {
            return null;
        }
        Fault f = q.faults[ins.ordinal()];
        if (f == null) {
            return null;
        }
        if (f.remaining > 0 && --f.remaining == 0) {
            q.faults[ins.ordinal()] = null;
        }
        return f.rc;
    }

    /** Drops interruption registrations and resets of an adapter's queues (keeps faults, counters). */
    private void resetQueueStates(int apid) {
        for (int apqi = 0; apqi < 256; apqi++) {
            Queue q = queues[Apqn.of(apid, apqi)];
            if (q != null) {
                q.clearIrq();
                q.resetUntil = NO_RESET;
            }
        }
    }

    private void dropQueues(int apid) {
        for (int apqi = 0; apqi < 256; apqi++) {
            queues[Apqn.of(apid, apqi)] = null;
        }
    }

    private static void checkId(int id, int max, String what) {
        if (id < 0 || id > max) {
            throw new IllegalArgumentException(what + " id " + id + " above the machine's maximum " + max);
        }
    }

    private static String pattern(int apqn, String register, int digits) {
        StringBuilder sb = new StringBuilder(digits);
        long x = 0x9E3779B97F4A7C15L * (apqn + 1) ^ register.hashCode();
        while (sb.length() < digits) {
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            x ^= x >>> 33;
            x *= 0xc4ceb9fe1a85ec53L;
            x ^= x >>> 33;
            sb.append(String.format("%016x", x));
        }
        return sb.substring(0, digits);
    }
}
