package org.apsysfs.vfio_ap;

import org.apsysfs.hardware.ApMachine;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kvm.Kvm;

/**
 * The guest's PQAP(AQIC) as vfio_ap intercepts it ({@code handle_pqap},
 * {@code vfio_ap_irq_enable}, {@code vfio_ap_irq_disable}) and the release of a queue's
 * interrupt resources: the pinned notification indicator byte (NIB) and the GISC registration.
 * Callers hold {@code mdevs_lock}.
 */
final class InterruptControl {
    private final ApMachine hw;
    private final Clock clock;
    private final KernelLog log;
    private final java.util.Set<String> warnedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final org.apsysfs.kvm.Guests guests;

    InterruptControl(ApMachine hw, Clock clock, KernelLog log, org.apsysfs.kvm.Guests guests) {
        this.hw = hw;
        this.clock = clock;
        this.log = log;
        this.guests = guests;
    }

    /**
     * The hazard check when a NIB is unpinned: if the hardware still has interrupts enabled for
     * the queue with this NIB (a reset not yet complete), it may post to the unpinned page.
     */
    private void checkUnpin(VfioApQueue q, Kvm kvm, long nib) {
        org.apsysfs.hardware.QueueInfo qi = hw.queueInfo(q.apqn);
        if (qi.irqEnabled() && qi.nibAddress() == Kvm.hostAddress(nib)) {
            guests.checkPost("unpin", q.name(), kvm, nib);
        }
    }

    /**
     * {@code vfio_ap_free_aqic_resources}: unregister the guest ISC and unpin the NIB. Only
     * possible while the queue is linked to an mdev attached to a guest (else the kernel WARNs
     * and the resources stay).
     */
    void freeAqicResources(VfioApQueue q) {
        MatrixMdev m = q.matrixMdev;
        Kvm kvm = m == null ? null : m.kvm;
        if (q.savedIsc != VfioApQueue.ISC_INVALID) {
            if (kvm == null) {
                log.warnOn("WARNING: vfio_ap_free_aqic_resources: queue %s has ISC %d registered but no guest", q.name(), q.savedIsc);
            } else {
                kvm.giscUnregister(q.savedIsc);
                q.savedIsc = VfioApQueue.ISC_INVALID;
            }
        }
        if (q.savedIova != 0) {
            if (kvm == null) {
                log.warnOn("WARNING: vfio_ap_free_aqic_resources: queue %s has a pinned NIB but no mdev guest", q.name());
            } else {
                long nib = q.savedIova;
                kvm.unpin(nib);
                q.savedIova = 0;
                checkUnpin(q, kvm, nib);
            }
        }
    }

    /**
     * {@code vfio_ap_irq_enable}: validate and pin the NIB, register the guest ISC, AQIC with the
     * host NIB. Response INVALID_ADDRESS (0x06) for a bad NIB, a failed pin, a non-shared NIB
     * of a protected guest, or a failed GISC registration.
     */
    ApQueueStatus irqEnable(VfioApQueue q, int isc, long nib) {
        Kvm kvm = q.matrixMdev.kvm;
        if (nib == 0 || !kvm.validGuestAddress(nib)) {
            return ApQueueStatus.of(ApRc.INVALID_ADDRESS);
        }
        if (!kvm.pin(nib)) {
            return ApQueueStatus.of(ApRc.INVALID_ADDRESS);
        }
        if (kvm.protectedVm() && !kvm.isShared(nib)) {
            kvm.unpin(nib);
            return ApQueueStatus.of(ApRc.INVALID_ADDRESS);
        }
        int nisc = kvm.giscRegister(isc);
        if (nisc < 0) {
            kvm.unpin(nib);
            return ApQueueStatus.of(ApRc.INVALID_ADDRESS);
        }
        ApQueueStatus st = hw.aqic(q.apqn, true, nisc, Kvm.hostAddress(nib));
        switch (st.rc()) {
            case NORMAL -> {
                freeAqicResources(q);
                q.savedIova = nib;
                q.savedIsc = isc;
            }
            case OTHERWISE_CHANGED -> {
                kvm.giscUnregister(isc);
                kvm.unpin(nib);
            }
            default -> {
                log.warn("vfio_ap: vfio_ap_irq_enable: apqn %04x: response: %02x", q.apqn, st.rc().code());
                kvm.giscUnregister(isc);
                kvm.unpin(nib);
                irqDisable(q);
            }
        }
        return st;
    }

    /** {@code vfio_ap_irq_disable}: AQIC off (up to 6 tries), wait for the IRQ bit to clear, free. */
    ApQueueStatus irqDisable(VfioApQueue q) {
        ApQueueStatus st = null;
        int retries = 5;
        boolean done = false;
        do {
            st = hw.aqic(q.apqn, false, 0, 0);
            switch (st.rc()) {
                case OTHERWISE_CHANGED, NORMAL -> {
                    waitForIrqClear(q.apqn);
                    done = true;
                }
                case RESET_IN_PROGRESS, BUSY -> clock.sleepMillis(20);
                default -> {
                    warnOnce("vfio_ap_irq_disable: ap_aqic status " + st.rc().code());
                    done = true;
                }
            }
        } while (!done && retries-- > 0);
        if (!done) {
            warnOnce("vfio_ap_irq_disable: ap_aqic status " + st.rc().code());
        }
        freeAqicResources(q);
        return st;
    }

    private void waitForIrqClear(int apqn) {
        int retry = 5;
        ApQueueStatus st;
        do {
            st = hw.tapq(apqn, false).status();
            switch (st.rc()) {
                case NORMAL, RESET_IN_PROGRESS -> {
                    if (!st.irqEnabled()) {
                        return;
                    }
                    clock.sleepMillis(20);
                }
                case BUSY -> clock.sleepMillis(20);
                default -> {
                    warnOnce(String.format("vfio_ap_wait_for_irqclear: tapq rc %02x: %04x", st.rc().code(), apqn));
                    return;
                }
            }
        } while (--retry > 0);
        warnOnce(String.format("vfio_ap_wait_for_irqclear: tapq rc %02x: %04x", st.rc().code(), apqn));
    }

    /** WARN_ONCE: the first time a given text is seen. */
    private void warnOnce(String text) {
        if (warnedOnce.add(text)) {
            log.warnOn("WARNING: %s", text);
        }
    }
}
