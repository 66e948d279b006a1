/**
 * Named kernel locks and a lockdep-style validator: {@link org.apsysfs.locking.KMutex}
 * ({@code struct mutex}), {@link org.apsysfs.locking.KRwSem} ({@code struct rw_semaphore}),
 * lock classes, guards for try-with-resources, {@link org.apsysfs.locking.Locks} for taking
 * several in a given order, and {@link org.apsysfs.locking.Lockdep}, which reports a possible
 * circular dependency the first time an order is taken that could close a cycle, and a lock
 * taken under one that the hierarchy puts after it the first time that happens. Kernel
 * counterpart: {@code kernel/locking} (mutex, rwsem, lockdep). Uses {@code kernel} only.
 *
 * <h2>The lock hierarchy</h2>
 *
 * <p>This is the one statement of it; {@link org.apsysfs.locking.LockRank} holds it as code
 * (its constants, in this order, are the ranks every lock class carries;
 * {@link org.apsysfs.locking.Locks#inOrder} refuses any other order and the validator reports
 * one). Outermost first; a lock may be taken while holding only locks above it:
 * <ol>
 * <li>{@code state_mutex} ({@code org.apsysfs.state.Simulation}): saving, dumping, loading and
 *     rebooting the whole system; taken with no other lock held and never held while a store
 *     runs (a store may block as long as the kernel's would);</li>
 * <li>{@code ap_scan_bus_mutex} (a whole AP bus scan);</li>
 * <li>{@code &dev->mutex} (the device lock: bind, unbind, probe, remove; a parent's before its
 *     child's, with a nesting subclass);</li>
 * <li>{@code ap_attr_mutex} (apmask/aqmask and vfio_ap's assignments);</li>
 * <li>{@code matrix_dev->guests_lock}, {@code &kvm->lock}, then
 *     {@code &kvm->arch.crypto.pqap_hook_rwsem} and {@code matrix_dev->mdevs_lock}: the
 *     vfio_ap order of Documentation/arch/s390/vfio-ap-locking.rst; the PQAP hook's rwsem is
 *     taken with nothing held (open/close release it before taking the others; PQAP(AQIC)
 *     holds it for reading around {@code mdevs_lock} only);</li>
 * <li>{@code mdev_list_lock} (the mdev core's list; never held while calling a driver);</li>
 * <li>{@code &aq->lock} (one AP queue's state machine and counters; calls only the hardware);</li>
 * <li>{@code ap_hardware} (the simulated machine: every AP instruction; calls nothing);</li>
 * <li>{@code kernfs_rwsem} (the shape of the sysfs tree), innermost of all: never held while a
 *     show or store runs or anything else is taken; a read of it inside its own read side is
 *     a recursive read, which deadlocks behind a waiting writer and is reported.</li>
 * </ol>
 *
 * <h2>Locks the validator does not see</h2>
 *
 * <p>Each is a Java monitor guarding a few fields of one object, held for a few statements
 * and never while taking any other lock, so it cannot take part in a cycle (the exceptions
 * say why they are safe):
 * <ul>
 * <li>a sysfs open file's monitor and its write mutex ({@code of->mutex} in kernfs,
 *     {@code org.apsysfs.sysfs.KernfsOpenFile}): held around that one file's show or store,
 *     so they are outside everything above; only that file's next read or write waits for
 *     them;</li>
 * <li>leaf monitors: the kernel log ring and the uevent list ({@code kernel}), a guest's
 *     pinned pages and GISC counts and the guest list ({@code kvm}), a VFIO device's open
 *     state ({@code vfio_ap.VfioDevice}, released before the driver is called), IOMMU group
 *     ids ({@code vfio}), the per-bus device counts ({@code base.BusType}), an mdev's
 *     {@code remove} file ({@code mdev.MdevDevice}), a kernfs directory's lazily made
 *     metadata, the control files' guest table ({@code debugfs.GuestFiles}) and the AP bus's
 *     rescan timer ({@code bus.ApBus}).</li>
 * </ul>
 */
package org.apsysfs.locking;
