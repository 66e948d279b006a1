package org.apsysfs.vfio_ap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.bus.ApBus;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.Qci;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.locking.Locks;
import org.apsysfs.mdev.MdevCore;
import org.apsysfs.mdev.MdevParent;
import org.apsysfs.vfio.IommuGroups;

/**
 * The vfio_ap matrix device ({@code struct ap_matrix_dev}) and the driver-wide state: the
 * mdev list, vfio_ap's copy of the host AP configuration, and the two driver locks.
 *
 * <p>Lock order (Documentation/arch/s390/vfio-ap-locking.rst): {@code ap_attr_mutex} →
 * {@code guests_lock} → {@code kvm->lock} → {@code mdevs_lock}. Every path takes them through
 * the helpers below, which encode that order.
 *
 * <p>Locking: {@link #mdevList} is changed with {@code guests_lock} and {@code mdevs_lock}
 * held (so holding either is enough to read it); {@link #info} is replaced under
 * {@code guests_lock}.
 */
public final class MatrixDev {
    public static final LockClass GUESTS_LOCK = org.apsysfs.locking.LockRank.GUESTS_LOCK.cls();
    public static final LockClass MDEVS_LOCK = org.apsysfs.locking.LockRank.MDEVS_LOCK.cls();

    final Kernel kernel;
    final ApBus apBus;
    final MdevCore mdevCore;
    final IommuGroups iommuGroups;
    final KMutex guestsLock = new KMutex(GUESTS_LOCK);
    final KMutex mdevsLock = new KMutex(MDEVS_LOCK);
    /** Newest first, as {@code list_add} leaves {@code matrix_dev->mdev_list}. */
    final List<MatrixMdev> mdevList = new CopyOnWriteArrayList<>();
    volatile Qci info;
    /**
     * Simulator switch (kernel/debug/apsysfs/whole_matrix), not kernel state: serve
     * {@code matrix}/{@code guest_matrix} whole even past a page, where a kernel cuts them.
     */
    private volatile boolean wholeMatrix;
    Device root;
    Device device;
    MdevParent parent;
    VfioApQueueDriver queueDriver;

    MatrixDev(Kernel kernel, ApBus apBus, MdevCore mdevCore, IommuGroups iommuGroups) {
        this.kernel = kernel;
        this.apBus = apBus;
        this.mdevCore = mdevCore;
        this.iommuGroups = iommuGroups;
        // vfio_ap_matrix_dev_create (vfio_ap_drv.c): matrix_dev->info is filled by PQAP(QCI)
        // only "if (test_facility(12))"; without QCI it stays zeroed (no flags, empty masks)
        this.info = apBus.hardware().qci().isPresent() ? apBus.qci()
                : new Qci(false, false, false, false, false, 0, 0, ApMask.empty(), ApMask.empty(), ApMask.empty());
    }

    public boolean wholeMatrix() {
        return wholeMatrix;
    }

    public void setWholeMatrix(boolean on) {
        wholeMatrix = on;
    }

    /** The mdevs, in creation order ({@link #mdevList} holds them newest first). */
    public List<MatrixMdev> mdevs() {
        List<MatrixMdev> l = new ArrayList<>(mdevList);
        java.util.Collections.reverse(l);
        return l;
    }

    public KMutex guestsLock() {
        return guestsLock;
    }

    public KMutex mdevsLock() {
        return mdevsLock;
    }

    public ApBus apBus() {
        return apBus;
    }

    /** vfio_ap's driver on the AP bus (for tests that bind queues directly). */
    public org.apsysfs.base.Driver queueDriverForTests() {
        return queueDriver;
    }

    // ------------------------------------------------------------------ lock helpers

    /** {@code get_update_locks_for_kvm}: guests_lock → kvm->lock (if any) → mdevs_lock. */
    Guard updateLocksForKvm(Kvm kvm) {
        return Locks.inOrder(guestsLock, kvm == null ? null : kvm.lock(), mdevsLock);
    }

    /**
     * {@code get_update_locks_for_mdev}: guests_lock, then the lock of the guest the mdev is
     * attached to (read after guests_lock, which guards attaching), then mdevs_lock.
     */
    Guard updateLocksForMdev(MatrixMdev m) {
        Guard guests = guestsLock.lock();
        try {
            Kvm kvm = m == null ? null : m.kvm;
            Guard rest = Locks.inOrder(kvm == null ? null : kvm.lock(), mdevsLock);
            return Locks.all(guests, rest);
        } catch (RuntimeException e) {
            guests.close();
            throw e;
        }
    }

    /** {@code ap_attr_mutex} → {@link #updateLocksForMdev}: for assign and {@code ap_config}. */
    Guard attrAndUpdateLocksForMdev(MatrixMdev m) {
        Guard attr = apBus.attrMutex().lock();
        try {
            return Locks.all(attr, updateLocksForMdev(m));
        } catch (RuntimeException e) {
            attr.close();
            throw e;
        }
    }

    /** Result of {@link #updateLocksByApqn}: the owning mdev (or null) and the held locks. */
    record Owner(MatrixMdev mdev, Guard guard) {
    }

    /**
     * {@code get_update_locks_by_apqn}: guests_lock, find the mdev whose matrix holds the APQN,
     * then its guest's kvm->lock, then mdevs_lock.
     */
    Owner updateLocksByApqn(int apqn) {
        Guard guests = guestsLock.lock();
        try {
            for (MatrixMdev m : mdevList) {
                if (m.matrix.contains(Apqn.apid(apqn), Apqn.apqi(apqn))) {
                    Kvm kvm = m.kvm;
                    return new Owner(m, Locks.all(guests, Locks.inOrder(kvm == null ? null : kvm.lock(), mdevsLock)));
                }
            }
            return new Owner(null, Locks.all(guests, mdevsLock.lock()));
        } catch (RuntimeException e) {
            guests.close();
            throw e;
        }
    }

    /** {@code get_update_locks_for_queue}: by the queue's linked mdev. */
    Guard updateLocksForQueue(VfioApQueue q) {
        Guard guests = guestsLock.lock();
        try {
            MatrixMdev m = q.matrixMdev;
            Kvm kvm = m == null ? null : m.kvm;
            return Locks.all(guests, Locks.inOrder(kvm == null ? null : kvm.lock(), mdevsLock));
        } catch (RuntimeException e) {
            guests.close();
            throw e;
        }
    }

    /**
     * With guests_lock held by the caller: the lock of the guest {@code m} is attached to (if
     * any), then mdevs_lock, as {@code vfio_ap_mdev_cfg_remove} and
     * {@code vfio_ap_mdev_on_scan_complete} take them for each mdev of the list.
     */
    Guard kvmAndMdevsLocks(MatrixMdev m) {
        Kvm kvm = m.kvm;
        return Locks.inOrder(kvm == null ? null : kvm.lock(), mdevsLock);
    }

    /** guests_lock → mdevs_lock (queue {@code status}, {@code in_use}, mdev remove). */
    Guard guestsAndMdevsLocks() {
        return Locks.inOrder(guestsLock, mdevsLock);
    }

    /** The mdev whose matrix holds the APQN ({@code vfio_ap_mdev_for_queue}); caller holds a lock. */
    MatrixMdev mdevForApqn(int apqn) {
        for (MatrixMdev m : mdevList) {
            if (m.matrix.contains(Apqn.apid(apqn), Apqn.apqi(apqn))) {
                return m;
            }
        }
        return null;
    }
}
