package org.apsysfs.vfio_ap;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.base.Driver;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.Qci;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.locking.Guard;

/**
 * vfio_ap's matrix operations ({@code vfio_ap_ops.c}): validating a new matrix (ownership
 * and sharing), linking queues, filtering the matrix into the shadow APCB, pushing it to the
 * guest (hot plug / unplug) and resetting the queues that left the guest. Callers hold the
 * update locks ({@code mdevs_lock} at least).
 */
final class VfioApOps {
    private final MatrixDev matrixDev;
    private final QueueReset reset;
    private final KernelLog log;

    VfioApOps(MatrixDev matrixDev, QueueReset reset) {
        this.matrixDev = matrixDev;
        this.reset = reset;
        this.log = matrixDev.kernel.log();
    }

    QueueReset reset() {
        return reset;
    }

    /** The vfio_ap state of a queue bound to vfio_ap ({@code vfio_ap_find_queue}), or null. */
    VfioApQueue findQueue(int apqn) {
        ApQueue q = matrixDev.apBus.queue(apqn);
        if (q == null) {
            return null;
        }
        Driver d = q.driver();
        if (d != matrixDev.queueDriver) {
            return null;
        }
        Object data = q.drvdata();
        return data instanceof VfioApQueue v ? v : null;
    }

    // ------------------------------------------------------------------ validation

    /**
     * {@code vfio_ap_mdev_validate_masks}: EADDRNOTAVAIL if an APQN of APM x AQM is reserved
     * for the default drivers, EADDRINUSE if one is assigned to another mdev (with one warning
     * per shared APQN), for {@code candidate}, the matrix {@code m} would have. Caller holds
     * ap_attr_mutex and mdevs_lock.
     */
    void validateMasks(MatrixMdev m, ApMatrix candidate, String file) {
        int owned = matrixDev.apBus.firstReservedApqn(candidate.apm(), candidate.aqm());
        if (owned >= 0) {
            int a = Apqn.apid(owned);
            int q = Apqn.apqi(owned);
            throw KernelException.of(Errno.EADDRNOTAVAIL,
                    "%s%s: queue %s.%s is reserved for the host's default drivers (bit %d of /sys/bus/ap/apmask and bit %d "
                            + "of /sys/bus/ap/aqmask are set); clear them first", m.prefix(), file,
                    ApMatrix.hex2(a), ApMatrix.hex4(q), a, q);
        }
        verifyNoSharing(m, candidate, file);
    }

    private void verifyNoSharing(MatrixMdev assignee, ApMatrix candidate, String file) {
        for (MatrixMdev other : matrixDev.mdevList) {
            if (other == assignee) {
                continue;
            }
            ApMask apm = candidate.apm().and(other.matrix.apm());
            if (apm.isEmpty()) {
                continue;
            }
            ApMask aqm = candidate.aqm().and(other.matrix.aqm());
            if (aqm.isEmpty()) {
                continue;
            }
            String first = null;
            for (int a : apm.ids()) {
                for (int q : aqm.ids()) {
                    String apqn = ApMatrix.hex2(a) + "." + ApMatrix.hex4(q);
                    if (first == null) {
                        first = apqn;
                    }
                    log.warn("%sUserspace may not assign queue %s to mdev: already assigned to %s",
                            assignee.prefix(), apqn, other.name());
                }
            }
            long more = (long) apm.cardinality() * aqm.cardinality() - 1;
            throw KernelException.of(Errno.EADDRINUSE, "%s%s: queue %s%s already assigned to mdev %s; "
                    + "an APQN can belong to one mdev only", assignee.prefix(), file, first,
                    more == 0 ? "" : " (and " + more + " more)", other.name());
        }
    }

    /** {@code ap_matrix_overflow_check}: ENODEV if a bit of {@code candidate} is above its maximum. */
    void overflowCheck(MatrixMdev m, ApMatrix candidate) {
        check(m, candidate.apm(), candidate.apmMax(), "adapter");
        check(m, candidate.aqm(), candidate.aqmMax(), "domain");
        check(m, candidate.adm(), candidate.admMax(), "control domain");
    }

    private void check(MatrixMdev m, ApMask mask, int max, String what) {
        int last = mask.lastSetBit();
        if (last > max) {
            throw KernelException.of(Errno.ENODEV, "%sap_config: %s %d is above the maximum %d", m.prefix(), what, last, max);
        }
    }

    // ------------------------------------------------------------------ linking

    void linkQueue(MatrixMdev m, VfioApQueue q) {
        if (q.matrixMdev != null && q.matrixMdev != m) {
            q.matrixMdev.qtable.remove(q.apqn);
        }
        q.matrixMdev = m;
        m.qtable.put(q.apqn, q);
    }

    void unlinkQueue(VfioApQueue q) {
        if (q.matrixMdev != null) {
            q.matrixMdev.qtable.remove(q.apqn);
            q.matrixMdev = null;
        }
    }

    /** {@code vfio_ap_mdev_link_adapter}: link the queues of apid x AQM that are bound to vfio_ap. */
    void linkAdapter(MatrixMdev m, int apid) {
        for (int apqi : m.matrix.aqm().ids()) {
            VfioApQueue q = findQueue(Apqn.of(apid, apqi));
            if (q != null) {
                linkQueue(m, q);
            }
        }
    }

    /** {@code vfio_ap_mdev_link_domain}. */
    void linkDomain(MatrixMdev m, int apqi) {
        for (int apid : m.matrix.apm().ids()) {
            VfioApQueue q = findQueue(Apqn.of(apid, apqi));
            if (q != null) {
                linkQueue(m, q);
            }
        }
    }

    // ------------------------------------------------------------------ filtering

    /**
     * What {@link #filterMatrix} did.
     *
     * @param changed whether the shadow's APM or AQM changed
     * @param dropped the adapters filtered out that were in the previous shadow (their queues
     *                are to be reset)
     */
    record Filtered(boolean changed, ApMask dropped) {
        static final Filtered NONE = new Filtered(false, ApMask.empty());
    }

    /**
     * {@code vfio_ap_mdev_filter_matrix}: shadow = matrix ∩ host configuration, then every
     * adapter with an APQN (over the shadow domains) that is not linked to this mdev or whose
     * last reset failed is dropped. Domains are never dropped for binding reasons.
     */
    Filtered filterMatrix(MatrixMdev m) {
        Qci info = matrixDev.info;
        ApMask prevApm = m.shadowApcb.apm();
        // bitmap_and with matrix_dev->info's masks (all zero on a machine without QCI)
        ApMask apm = m.matrix.apm().and(info.apm());
        ApMask aqm = m.matrix.aqm().and(info.aqm());
        ApMask dropped = ApMask.empty();
        for (int apid : apm.ids()) {
            // an APQN of the adapter without a linked queue, or with a failed reset
            if (!m.qtable.allPassable(apid, aqm)) {
                apm = apm.without(apid);
                if (prevApm.test(apid)) {
                    dropped = dropped.with(apid);
                }
            }
        }
        return new Filtered(m.setShadowApmAqm(apm, aqm), dropped);
    }

    /** {@code vfio_ap_mdev_filter_cdoms}: shadow ADM = ADM ∩ host ADM; whether it changed. */
    boolean filterCdoms(MatrixMdev m) {
        return m.setShadowAdm(m.matrix.adm().and(matrixDev.info.adm()));
    }

    /**
     * Filter, and if the shadow changed push it to the guest and reset the queues of the
     * adapters that were filtered out of it (the tail of assign and {@code ap_config}).
     */
    void filterUpdateAndReset(MatrixMdev m, boolean alsoCdoms) {
        Filtered filtered = filterMatrix(m);
        boolean update = filtered.changed();
        if (alsoCdoms) {
            update |= filterCdoms(m);
        }
        if (update) {
            updateGuestApcb(m);
            resetQueuesForApids(m, filtered.dropped());
        }
    }

    /** {@code vfio_ap_mdev_update_guest_apcb}: the guest's CRYCB := the shadow (if attached). */
    void updateGuestApcb(MatrixMdev m) {
        if (m.kvm != null) {
            m.kvm.setMasks(m.shadowApcb.apm(), m.shadowApcb.aqm(), m.shadowApcb.adm());
            m.kvm.signalCfgChanged();
        }
    }

    // ------------------------------------------------------------------ hot unplug

    /**
     * {@code vfio_ap_mdev_hot_unplug_adapters}: unlink the adapters' queues (over the domains
     * {@code aqm} of the matrix they were assigned with), drop them from the shadow (updating
     * the guest only if one was there), reset the queues that were in the guest.
     */
    void hotUnplugAdapters(MatrixMdev m, ApMask apids, ApMask aqm) {
        hotUnplug(m, apids, aqm, true);
    }

    /** {@code vfio_ap_mdev_hot_unplug_domains}: the same for usage domains, over adapters {@code apm}. */
    void hotUnplugDomains(MatrixMdev m, ApMask apqis, ApMask apm) {
        hotUnplug(m, apqis, apm, false);
    }

    private void hotUnplug(MatrixMdev m, ApMask ids, ApMask others, boolean adapters) {
        if (ids.isEmpty()) {
            return;
        }
        List<VfioApQueue> qlist = new ArrayList<>();
        boolean update = false;
        for (int id : ids.ids()) {
            for (int other : others.ids()) {
                int apid = adapters ? id : other;
                int apqi = adapters ? other : id;
                VfioApQueue q = m.qtable.get(Apqn.of(apid, apqi));
                if (q != null) {
                    if (m.shadowApcb.contains(apid, apqi)) {
                        qlist.add(q);
                    } else {
                        unlinkQueue(q);
                    }
                }
            }
            update |= m.removeFromShadow(adapters ? MatrixMdev.Kind.ADAPTER : MatrixMdev.Kind.DOMAIN, id);
        }
        if (update) {
            updateGuestApcb(m);
        }
        reset.resetQueues(qlist);
        for (VfioApQueue q : qlist) {
            unlinkQueue(q);
        }
    }

    /** {@code reset_queues_for_apids}: the linked queues of apids x shadow AQM. */
    void resetQueuesForApids(MatrixMdev m, ApMask apids) {
        if (apids == null || apids.isEmpty()) {
            return;
        }
        List<VfioApQueue> qlist = new ArrayList<>();
        for (int apid : apids.ids()) {
            for (int apqi : m.shadowApcb.aqm().ids()) {
                VfioApQueue q = m.qtable.get(Apqn.of(apid, apqi));
                if (q != null) {
                    qlist.add(q);
                }
            }
        }
        reset.resetQueues(qlist);
    }

    /** {@code vfio_ap_mdev_reset_queues}: every linked queue; true if all ended NORMAL. */
    boolean resetAllQueues(MatrixMdev m) {
        return reset.resetQueues(m.linkedQueues());
    }

    // ------------------------------------------------------------------ in_use

    /**
     * {@code vfio_ap_mdev_resource_in_use}: whether any mdev's assigned APM x AQM intersects
     * apm x aqm; logs one warning per intersecting APQN on the first such mdev.
     */
    boolean resourceInUse(ApMask apm, ApMask aqm) {
        try (Guard g = matrixDev.guestsAndMdevsLocks()) {
            for (MatrixMdev m : matrixDev.mdevList) {
                ApMask a = apm.and(m.matrix.apm());
                if (a.isEmpty()) {
                    continue;
                }
                ApMask q = aqm.and(m.matrix.aqm());
                if (q.isEmpty()) {
                    continue;
                }
                for (int apid : a.ids()) {
                    for (int apqi : q.ids()) {
                        log.warn("%sCan not reserve queue %s.%s for host driver: in use by mdev", m.prefix(),
                                ApMatrix.hex2(apid), ApMatrix.hex4(apqi));
                    }
                }
                return true;
            }
            return false;
        }
    }
}
