package org.apsysfs.vfio_ap;

import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;

/**
 * vfio_ap's per-queue state ({@code struct vfio_ap_queue}), made when a queue binds to
 * vfio_ap and freed when it unbinds.
 *
 * <p>Locking: every field is guarded by {@code matrix_dev->mdevs_lock}.
 */
final class VfioApQueue {
    /** {@code VFIO_AP_ISC_INVALID}. */
    static final int ISC_INVALID = 0xff;

    final ApQueue apdev;
    final int apqn;
    /** The mdev this queue is linked to (bound to vfio_ap and assigned), or null. */
    MatrixMdev matrixMdev;
    /** The guest ISC registered for the queue's interrupts, or {@link #ISC_INVALID}. */
    volatile int savedIsc = ISC_INVALID;
    /** The guest address of the pinned notification indicator byte, or 0. */
    volatile long savedIova;
    /** The status of the last reset ({@code reset_status}); changed through {@link #setResetStatus}. */
    private ApQueueStatus resetStatus = ApQueueStatus.of(ApRc.NORMAL);
    /** A verification of the last ZAPQ is pending ({@code reset_work} queued). */
    boolean resetPending;

    VfioApQueue(ApQueue apdev) {
        this.apdev = apdev;
        this.apqn = apdev.apqn();
    }

    int apid() {
        return Apqn.apid(apqn);
    }

    int apqi() {
        return Apqn.apqi(apqn);
    }

    String name() {
        return apdev.name();
    }

    ApQueueStatus resetStatus() {
        return resetStatus;
    }

    /** Records a reset's status; the linked mdev's table learns whether the queue is passable. */
    void setResetStatus(ApQueueStatus st) {
        resetStatus = st;
        MatrixMdev m = matrixMdev;
        if (m != null) {
            m.qtable.statusChanged(this);
        }
    }

    /** {@code _queue_passable}: the last reset ended NORMAL, DECONFIGURED or CHECKSTOPPED. */
    boolean passable() {
        ApRc rc = resetStatus.rc();
        return rc == ApRc.NORMAL || rc == ApRc.DECONFIGURED || rc == ApRc.CHECKSTOPPED;
    }
}
