package org.apsysfs.vfio_ap;

import org.apsysfs.Kernel;
import org.apsysfs.bus.ApBus;
import org.apsysfs.bus.ApDriver;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Qci;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * vfio_ap's driver on the AP bus ({@code vfio_ap_drv}): takes the queues the masks leave free,
 * adds their {@code status} file, links them to the mdev that holds their APQN (hot plug), and
 * answers the bus's {@code in_use} question and configuration-change notifications.
 */
final class VfioApQueueDriver extends ApDriver {
    /** {@code vfio_queue_attr_group}. */
    static final AttributeGroup<ApQueue> QUEUE_ATTRS = AttributeGroup.of(
            Attribute.ro("status", VfioApQueueDriver::statusShow));

    private final MatrixDev matrixDev;
    private final VfioApLifecycle ops;

    VfioApQueueDriver(Kernel kernel, ApBus bus, MatrixDev matrixDev, VfioApLifecycle ops) {
        super(kernel, bus, "vfio_ap", "vfio_ap", false, false);
        this.matrixDev = matrixDev;
        this.ops = ops;
    }

    VfioApLifecycle ops() {
        return ops;
    }

    /**
     * Queue {@code status}: "in use" if the APQN is in the shadow of an mdev attached to a guest,
     * "assigned" if an mdev's matrix holds it, else "unassigned".
     */
    private static String statusShow(ApQueue q) {
        VfioApQueueDriver drv = (VfioApQueueDriver) q.driver();
        if (drv == null) {
            return "unassigned\n";
        }
        MatrixDev md = drv.matrixDev;
        try (Guard g = md.guestsAndMdevsLocks()) {
            MatrixMdev m = md.mdevForApqn(q.apqn());
            if (m == null) {
                return "unassigned\n";
            }
            if (m.kvm != null && m.shadowApcb.contains(q.apid(), q.domain())) {
                return "in use\n";
            }
            return "assigned\n";
        }
    }

    @Override
    protected void probeQueue(ApQueue queue) {
        queue.dir().addGroup(QUEUE_ATTRS, queue);
        ops.probeQueue(queue);
    }

    @Override
    protected void removeQueue(ApQueue queue) {
        queue.dir().removeGroup(QUEUE_ATTRS);
        ops.removeQueue(queue);
    }

    @Override
    public boolean inUse(ApMask apm, ApMask aqm) {
        return ops.matrixOps().resourceInUse(apm, aqm);
    }

    @Override
    public void onConfigChanged(Qci newInfo, Qci oldInfo) {
        ops.onConfigChanged(newInfo, oldInfo);
    }

    @Override
    public void onScanComplete(Qci newInfo, Qci oldInfo) {
        ops.onScanComplete(newInfo, oldInfo);
    }
}
