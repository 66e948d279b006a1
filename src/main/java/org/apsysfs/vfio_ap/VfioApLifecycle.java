package org.apsysfs.vfio_ap;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApQueueStatus;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.Qci;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.locking.Guard;
import org.apsysfs.mdev.MdevDevice;

/**
 * vfio_ap's reactions to the world: queues binding and unbinding (hot plug/unplug), host
 * configuration changes, mdevs being created and removed, guests attaching and detaching,
 * and the guest's PQAP(AQIC).
 */
final class VfioApLifecycle {
    private final MatrixDev matrixDev;
    private final VfioApOps ops;
    private final QueueReset reset;
    private final InterruptControl irq;

    VfioApLifecycle(MatrixDev matrixDev, VfioApOps ops, QueueReset reset, InterruptControl irq) {
        this.matrixDev = matrixDev;
        this.ops = ops;
        this.reset = reset;
        this.irq = irq;
    }

    VfioApOps matrixOps() {
        return ops;
    }

    // ------------------------------------------------------------------ queues

    /**
     * {@code vfio_ap_mdev_probe_queue}: per-queue state, link to the owning mdev, filter and
     * hot plug (unless host additions are pending: then the scan's end filters).
     * Locks: device_lock (held by the caller) → guests_lock → kvm->lock → mdevs_lock.
     */
    void probeQueue(ApQueue apdev) {
        VfioApQueue q = new VfioApQueue(apdev);
        MatrixDev.Owner owner = matrixDev.updateLocksByApqn(q.apqn);
        try (Guard g = owner.guard()) {
            MatrixMdev m = owner.mdev();
            if (m != null) {
                ops.linkQueue(m, q);
                if (!m.hasPendingAdapterOrDomainAdds()) {
                    ops.filterUpdateAndReset(m, false);
                }
            }
            apdev.setDrvdata(q);
        }
    }

    /**
     * {@code vfio_ap_mdev_remove_queue}: if the queue is in its mdev's guest, unplug its whole
     * adapter and reset the adapter's queues; otherwise reset it if it is in the host
     * configuration; unlink and free.
     */
    void removeQueue(ApQueue apdev) {
        Object data = apdev.drvdata();
        if (!(data instanceof VfioApQueue q)) {
            return;
        }
        try (Guard g = matrixDev.updateLocksForQueue(q)) {
            MatrixMdev m = q.matrixMdev;
            int apid = q.apid();
            int apqi = q.apqi();
            boolean done = false;
            if (m != null && m.shadowApcb.contains(apid, apqi)) {
                m.removeFromShadow(MatrixMdev.Kind.ADAPTER, apid);
                ops.updateGuestApcb(m);
                List<VfioApQueue> qlist = new ArrayList<>();
                for (int d : m.shadowApcb.aqm().ids()) {
                    VfioApQueue other = m.qtable.get(Apqn.of(apid, d));
                    if (other != null) {
                        qlist.add(other);
                    }
                }
                reset.resetQueues(qlist);
                done = true;
            }
            if (!done) {
                Qci info = matrixDev.info;
                // only a queue in matrix_dev->info's APM x AQM is reset (none without QCI)
                if (info.apm().test(apid) && info.aqm().test(apqi)) {
                    reset.resetQueue(q);
                }
            }
            if (m != null) {
                ops.unlinkQueue(q);
            }
            apdev.setDrvdata(null);
        }
    }

    // ------------------------------------------------------------------ host configuration

    /** {@code vfio_ap_on_cfg_changed}: unplug what left the host, note what came (pending adds). */
    void onConfigChanged(Qci cur, Qci prev) {
        if (cur == null || prev == null) {
            return;
        }
        try (Guard g = matrixDev.guestsLock.lock()) {
            cfgRemove(cur, prev);
            cfgAdd(cur, prev);
            matrixDev.info = cur;
        }
    }

    private void cfgRemove(Qci cur, Qci prev) {
        ApMask apRemove = prev.apm().andNot(cur.apm());
        ApMask aqRemove = prev.aqm().andNot(cur.aqm());
        ApMask cdRemove = prev.adm().andNot(cur.adm());
        if (apRemove.isEmpty() && aqRemove.isEmpty() && cdRemove.isEmpty()) {
            return;
        }
        boolean doRemove = false;
        for (MatrixMdev m : matrixDev.mdevList) {
            try (Guard g = matrixDev.kvmAndMdevsLocks(m)) {
                ApMask aprem = apRemove.and(m.matrix.apm());
                ApMask aqrem = aqRemove.and(m.matrix.aqm());
                // upstream computes the control-domain set with and-not (removed and NOT assigned)
                ApMask cdrem = cdRemove.andNot(m.matrix.adm());
                doRemove |= !aprem.isEmpty() || !aqrem.isEmpty() || !cdrem.isEmpty();
                if (doRemove) {
                    hotUnplugCfg(m, aprem, aqrem, cdrem);
                }
            }
        }
    }

    /** {@code vfio_ap_mdev_hot_unplug_cfg}. */
    private void hotUnplugCfg(MatrixMdev m, ApMask aprem, ApMask aqrem, ApMask cdrem) {
        if (m.removeFromShadow(aprem, aqrem, cdrem)) {
            ops.updateGuestApcb(m);
        }
    }

    private void cfgAdd(Qci cur, Qci prev) {
        ApMask apmAdd = cur.apm().andNot(prev.apm());
        ApMask aqmAdd = cur.aqm().andNot(prev.aqm());
        ApMask admAdd = cur.adm().andNot(prev.adm());
        if (apmAdd.isEmpty() && aqmAdd.isEmpty() && admAdd.isEmpty()) {
            return;
        }
        if (matrixDev.mdevList.isEmpty()) {
            return;
        }
        apmAdd = filterApidByQtype(apmAdd, aqmAdd);
        for (MatrixMdev m : matrixDev.mdevList) {
            try (Guard g = matrixDev.mdevsLock.lock()) {
                m.notePendingAdds(apmAdd, aqmAdd, admAdd);
            }
        }
    }

    /** {@code vfio_ap_filter_apid_by_qtype}: drop added adapters older than CEX4 or without info. */
    private ApMask filterApidByQtype(ApMask apm, ApMask aqm) {
        ApMask out = apm;
        for (int apid : apm.ids()) {
            for (int apqi : aqm.ids()) {
                TapqResult r = matrixDev.apBus.hardware().tapq(Apqn.of(apid, apqi), true);
                boolean cleared = switch (r.rc()) {
                    case NORMAL, RESET_IN_PROGRESS, DECONFIGURED, CHECKSTOPPED, BUSY ->
                            r.info() == null || r.info().apType() < org.apsysfs.bus.ApBus.AP_DEVICE_TYPE_CEX4;
                    default -> true;
                };
                if (cleared) {
                    out = out.without(apid);
                    break;
                }
            }
        }
        return out;
    }

    /** {@code vfio_ap_on_scan_complete}: filter the mdevs that had pending additions. */
    void onScanComplete(Qci cur, Qci prev) {
        try (Guard g = matrixDev.guestsLock.lock()) {
            for (MatrixMdev m : matrixDev.mdevList) {
                if (!m.hasPendingAdds()) {
                    continue;
                }
                try (Guard g2 = matrixDev.kvmAndMdevsLocks(m)) {
                    MatrixMdev.PendingFilter pending = m.takePendingAdds();
                    VfioApOps.Filtered filtered = pending.matrix() ? ops.filterMatrix(m) : VfioApOps.Filtered.NONE;
                    boolean hotplug = filtered.changed();
                    if (pending.cdoms()) {
                        hotplug |= ops.filterCdoms(m);
                    }
                    if (hotplug) {
                        ops.updateGuestApcb(m);
                    }
                    ops.resetQueuesForApids(m, filtered.dropped());
                }
            }
        }
    }

    // ------------------------------------------------------------------ mdevs

    /**
     * {@code vfio_ap_mdev_probe}: the matrix, an IOMMU group, and the mdev list (guests_lock).
     * The new mdev goes to the head of the list ({@code list_add}), so every walk (sharing
     * check, in_use) meets the newest mdev first and names it.
     */
    void probeMdev(MdevDevice mdev) {
        MatrixMdev m = new MatrixMdev(matrixDev, mdev, ops, matrixDev.iommuGroups.allocFor(mdev));
        mdev.setDrvdata(m);
        try (Guard g = matrixDev.guestsAndMdevsLocks()) {
            matrixDev.mdevList.add(0, m);
        }
    }

    /**
     * {@code vfio_ap_mdev_remove} after the VMM let go: reset and unlink every queue, leave the
     * list (guests_lock → mdevs_lock), free the IOMMU group.
     */
    void removeMdev(MdevDevice mdev) {
        MatrixMdev m = MatrixMdev.of(mdev);
        try (Guard g = matrixDev.guestsAndMdevsLocks()) {
            ops.resetAllQueues(m);
            for (VfioApQueue q : m.linkedQueues()) {
                ops.unlinkQueue(q);
            }
            matrixDev.mdevList.remove(m);
        }
        matrixDev.iommuGroups.release(m.iommuGroup, mdev);
        mdev.setDrvdata(null);
    }

    // ------------------------------------------------------------------ guests

    /** {@code vfio_ap_mdev_set_kvm}. */
    void setKvm(MatrixMdev m, Kvm kvm) {
        if (kvm == null) {
            throw KernelException.of(Errno.EINVAL, "%sopen: no KVM associated with the device", m.prefix());
        }
        if (!kvm.hasCrycb()) {
            return;
        }
        try (Guard g = kvm.pqapHookRwsem().write()) {
            kvm.setPqapHook((k, gr0, gr1, gr2) -> handlePqap(m, k, gr0, gr1, gr2));
        }
        try (Guard g = matrixDev.updateLocksForKvm(kvm)) {
            for (MatrixMdev other : matrixDev.mdevList) {
                if (other != m && other.kvm == kvm) {
                    throw KernelException.of(Errno.EPERM, "%sopen: guest %s already uses vfio_ap mdev %s",
                            m.prefix(), kvm.name(), other.name());
                }
            }
            m.setKvm(kvm);
            ops.updateGuestApcb(m);
        }
    }

    /** {@code vfio_ap_mdev_unset_kvm}: unhook, clear the guest's masks, reset the queues, forget. */
    void unsetKvm(MatrixMdev m) {
        Kvm kvm = m.kvm;
        if (kvm == null || !kvm.hasCrycb()) {
            return;
        }
        try (Guard g = kvm.pqapHookRwsem().write()) {
            kvm.setPqapHook(null);
        }
        try (Guard g = matrixDev.updateLocksForKvm(kvm)) {
            kvm.clearMasks();
            kvm.signalCfgChanged();
            ops.resetAllQueues(m);
            m.setKvm(null);
        }
    }

    /**
     * {@code handle_pqap}: PQAP(AQIC) from the guest (the caller holds pqap_hook_rwsem for
     * reading). Q_NOT_AVAIL if the mdev is not attached or the APQN is not linked to it.
     *
     * @return the status word for GR1
     */
    long handlePqap(MatrixMdev m, Kvm kvm, long gr0, long gr1, long gr2) {
        int apqn = (int) (gr0 & 0xffff);
        ApQueueStatus st = ApQueueStatus.of(ApRc.Q_NOT_AVAIL);
        try (Guard g = matrixDev.mdevsLock.lock()) {
            if (m.kvm != null) {
                VfioApQueue q = m.qtable.get(apqn);
                if (q != null) {
                    if (((gr1 >> (63 - 16)) & 1) != 0) {
                        st = irq.irqEnable(q, (int) (gr1 & 7), gr2);
                    } else {
                        st = irq.irqDisable(q);
                    }
                }
            }
        }
        return st.word() & 0xffffffffL;
    }
}
