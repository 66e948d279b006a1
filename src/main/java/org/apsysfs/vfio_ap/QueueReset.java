package org.apsysfs.vfio_ap;

import java.util.List;
import org.apsysfs.hardware.ApInstruction;
import org.apsysfs.hardware.ApMachine;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.Ratelimit;

/**
 * Resetting queues the newest way ({@code vfio_ap_mdev_reset_queue} + {@code apq_reset_check}):
 * ZAPQ, remember its status, then verify with TAPQ every 20 ms until the reset is done; only
 * then are the queue's interrupt resources released. Callers that reset several queues start
 * every ZAPQ first and then wait for each verification ({@code flush_work}). As in the
 * newest vfio_ap_ops.c there is no retry limit: a queue that keeps answering BUSY or
 * RESET_IN_PROGRESS keeps its caller (and the matrix_dev locks it holds) waiting, polled every
 * 20 ms, until the condition ends (e.g. an injected fault is cleared); only TAPQ's waits are
 * logged ({@code pr_notice_ratelimited}: one {@link Ratelimit} for the call site, ten per 5 s), a ZAPQ that answers BUSY is silently re-issued.
 */
final class QueueReset {
    /** {@code AP_RESET_INTERVAL}, milliseconds. */
    static final int AP_RESET_INTERVAL = 20;

    private final ApMachine hw;
    private final Clock clock;
    private final KernelLog log;
    private final InterruptControl irq;
    /** The static {@code ratelimit_state} of apq_reset_check's {@code pr_notice_ratelimited}. */
    private final Ratelimit waitNotice = new Ratelimit("apq_reset_check");

    QueueReset(ApMachine hw, Clock clock, KernelLog log, InterruptControl irq) {
        this.hw = hw;
        this.clock = clock;
        this.log = log;
        this.irq = irq;
    }

    /**
     * Resets the queues: all ZAPQs, then every verification.
     *
     * @return true if every queue's final reset status is NORMAL (VFIO_DEVICE_RESET's success)
     */
    boolean resetQueues(List<VfioApQueue> qlist) {
        for (VfioApQueue q : qlist) {
            start(q);
        }
        flushAll(qlist);
        boolean ok = true;
        for (VfioApQueue q : qlist) {
            if (q.resetStatus().rc() != ApRc.NORMAL) {
                ok = false;
            }
        }
        return ok;
    }

    /** Resets one queue and waits for it. */
    void resetQueue(VfioApQueue q) {
        start(q);
        flush(q);
    }

    /** {@code vfio_ap_mdev_reset_queue}: ZAPQ and queue the verification. */
    void start(VfioApQueue q) {
        ApQueueStatus st = hw.zapq(q.apqn);
        q.setResetStatus(st);
        switch (st.rc()) {
            case NORMAL, RESET_IN_PROGRESS, BUSY, STATE_CHANGE_IN_PROGRESS -> q.resetPending = true;
            case DECONFIGURED, CHECKSTOPPED -> irq.freeAqicResources(q);
            default -> log.warnOn("WARNING: PQAP/ZAPQ for %s failed with invalid rc=%d", q.name(), st.rc().code());
        }
    }

    /** {@code flush_work(&q->reset_work)}: runs the verification loop if one is queued. */
    void flush(VfioApQueue q) {
        flushAll(List.of(q));
    }

    /** One queue's verification work ({@code apq_reset_check}). */
    private final class Check {
        final VfioApQueue q;
        int elapsed;

        Check(VfioApQueue q) {
            this.q = q;
        }

        /** One poll after a 20 ms sleep; true when the work is finished. */
        boolean poll() {
            elapsed += AP_RESET_INTERVAL;
            ApQueueStatus st = hw.tapq(q.apqn, false).status();
            switch (st.rc()) {
                case NORMAL, DECONFIGURED, CHECKSTOPPED -> {
                    ApRc stored = q.resetStatus().rc();
                    if (stored == ApRc.RESET_IN_PROGRESS || stored == ApRc.BUSY || stored == ApRc.STATE_CHANGE_IN_PROGRESS) {
                        q.setResetStatus(hw.zapq(q.apqn));
                        return false;
                    }
                    if (q.savedIsc != VfioApQueue.ISC_INVALID) {
                        irq.freeAqicResources(q);
                    }
                    return true;
                }
                case RESET_IN_PROGRESS, BUSY -> {
                    // pr_notice_ratelimited: one ratelimit_state for this call site (apq_reset_check)
                    if (waitNotice.allow(clock, log)) {
                        log.notice("vfio_ap: Waited %dms for reset of queue %s (%d, %d, %d)", elapsed, q.name(),
                                st.rc().code(), st.queueEmpty() ? 1 : 0, st.irqEnabled() ? 1 : 0);
                    }
                    return false;
                }
                case ASSOC_SECRET_NOT_UNIQUE, ASSOC_FAILED -> {
                    q.setResetStatus(hw.zapq(q.apqn));
                    return false;
                }
                default -> {
                    log.warnOn("WARNING: failed to verify reset of queue %s: TAPQ rc=%d", q.name(), st.rc().code());
                    return true;
                }
            }
        }
    }

    /** Every pending queue answers ZAPQ or TAPQ from a fault that only clearing ends. */
    private boolean allStuck(List<Check> pending) {
        for (Check c : pending) {
            if (!hw.permanentFault(c.q.apqn, ApInstruction.ZAPQ) && !hw.permanentFault(c.q.apqn, ApInstruction.TAPQ)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits for the verification work of every queue. The kernel runs them concurrently on a
     * workqueue, so they share the 20 ms sleeps: a set of resets takes about as long as the
     * slowest one, not the sum.
     */
    private void flushAll(List<VfioApQueue> qlist) {
        List<Check> pending = new java.util.ArrayList<>();
        for (VfioApQueue q : qlist) {
            if (q.resetPending) {
                q.resetPending = false;
                pending.add(new Check(q));
            }
        }
        while (!pending.isEmpty()) {
            long t0 = System.nanoTime();
            clock.sleepMillis(AP_RESET_INTERVAL);
            if (System.nanoTime() - t0 < AP_RESET_INTERVAL * 500_000L && allStuck(pending)) {
                // apq_reset_check polls every 20 ms for as long as it takes, with no retry limit
                // (and its caller holds the matrix_dev locks in flush_work): so does this loop.
                // On a clock whose sleeps cost no real time a fault that only an operator can
                // clear would make that a busy loop; wait the interval in real time instead
                try {
                    Thread.sleep(AP_RESET_INTERVAL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            pending.removeIf(Check::poll);
        }
    }
}
