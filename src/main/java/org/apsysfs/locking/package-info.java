/**
 * Named kernel locks and a lockdep-style validator: {@link org.apsysfs.locking.KMutex}
 * ({@code struct mutex}), {@link org.apsysfs.locking.KRwSem} ({@code struct rw_semaphore}),
 * lock classes, guards for try-with-resources, {@link org.apsysfs.locking.Locks} for taking
 * several in a given order, and {@link org.apsysfs.locking.Lockdep}, which reports a possible
 * circular dependency the first time an order is taken that could close a cycle.
 *
 * <p>The order of the model's locks, outermost first (Documentation/arch/s390/vfio-ap-locking.rst
 * for the vfio_ap part): {@code ap_scan_bus_mutex} → {@code &dev->mutex} →
 * {@code ap_attr_mutex} → {@code matrix_dev->guests_lock} → {@code &kvm->lock} →
 * {@code matrix_dev->mdevs_lock}; {@code pqap_hook_rwsem} (read) → {@code mdevs_lock} for a
 * guest's PQAP(AQIC); {@code ap_perms_mutex} (zcrypt's node list and masks) takes nothing
 * but the tree lock inside; then the leaf monitors (a queue's {@code aq->lock}, the hardware's
 * monitor) and, innermost of all, the sysfs tree lock ({@code kernfs_rwsem} in
 * {@link org.apsysfs.sysfs.Kernfs}), never held while a show or store runs. The simulator's
 * saved-state lock ({@code org.apsysfs.state.Simulation}) is taken around a whole store, so
 * it is outermost. Uses {@code kernel} only.
 */
package org.apsysfs.locking;
