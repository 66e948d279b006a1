package org.apsysfs.locking;

/**
 * The lock hierarchy of the daemon, outermost first: the order of these constants is the
 * order in which locks may be nested (a lock may be taken while holding only locks of lower
 * rank). Each constant names the kernel's lock and gives its {@link LockClass}; the packages
 * that own a lock declare it from here, so names and order live in this one place. See the
 * package documentation for why each lock sits where it does and for the locks that are not
 * the validator's.
 */
public enum LockRank {
    /** The simulator's saved state (org.apsysfs.state.Simulation); never held across a store. */
    STATE_MUTEX("state_mutex"),
    /** {@code ap_scan_bus_mutex} (ap_bus.c): a whole bus scan. */
    AP_SCAN_BUS_MUTEX("ap_scan_bus_mutex"),
    /** {@code &dev->mutex} (device_lock, drivers/base): bind, unbind, probe, remove. */
    DEVICE_LOCK("&dev->mutex"),
    /** {@code ap_attr_mutex} (ap_bus.c): apmask/aqmask and vfio_ap's assignments. */
    AP_ATTR_MUTEX("ap_attr_mutex"),
    /** {@code matrix_dev->guests_lock} (vfio_ap_private.h). */
    GUESTS_LOCK("matrix_dev->guests_lock"),
    /** {@code &kvm->lock}. */
    KVM_LOCK("&kvm->lock"),
    /**
     * {@code &kvm->arch.crypto.pqap_hook_rwsem}: the hook's installers take it with nothing
     * held; PQAP(AQIC) holds it (read) around {@code mdevs_lock}.
     */
    PQAP_HOOK_RWSEM("&kvm->arch.crypto.pqap_hook_rwsem"),
    /** {@code matrix_dev->mdevs_lock} (vfio_ap_private.h). */
    MDEVS_LOCK("matrix_dev->mdevs_lock"),
    /** {@code mdev_list_lock} (drivers/vfio/mdev/mdev_core.c): a leaf, never held calling a driver. */
    MDEV_LIST_LOCK("mdev_list_lock"),
    /** {@code &aq->lock} (ap_queue.c, a spinlock there): one queue's state machine and counters. */
    AP_QUEUE_LOCK("&aq->lock"),
    /** The simulated machine (org.apsysfs.hardware.ApHardware): every AP instruction; calls nothing. */
    AP_HARDWARE("ap_hardware"),
    /** {@code kernfs_rwsem} (fs/kernfs): the shape of the sysfs tree; innermost, never held calling show/store. */
    KERNFS_RWSEM("kernfs_rwsem");

    private final String lockName;
    private final LockClass cls;

    LockRank(String lockName) {
        this.lockName = lockName;
        this.cls = LockClass.ranked(lockName, this);
    }

    /** The kernel's name of the lock (the lock class's name). */
    public String lockName() {
        return lockName;
    }

    /** The lock class of this rank. */
    public LockClass cls() {
        return cls;
    }
}
