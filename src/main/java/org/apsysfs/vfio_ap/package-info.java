/**
 * The vfio_ap driver, split as the kernel splits it: {@code vfio_ap_drv.c} (the matrix device
 * {@code /sys/devices/vfio_ap/matrix}, the queue driver on the AP bus) and
 * {@code vfio_ap_ops.c} (the mdev type, each mdev's matrix with {@code assign_*}/{@code unassign_*},
 * {@code matrix}, {@code guest_matrix}, {@code ap_config}, filtering into the guest's shadow
 * APCB, hot plug, queue reset and interrupt control), with {@code vfio_ap_private.h}'s
 * structures ({@link org.apsysfs.vfio_ap.MatrixDev}, {@link org.apsysfs.vfio_ap.MatrixMdev}).
 *
 * <p>Locks: {@code matrix_dev->guests_lock} and {@code matrix_dev->mdevs_lock}, taken with
 * {@code ap_attr_mutex} and {@code kvm->lock} only through {@code MatrixDev}'s helpers, in the
 * order of Documentation/arch/s390/vfio-ap-locking.rst (see {@link org.apsysfs.locking}). May
 * use {@code bus}, {@code base}, {@code mdev}, {@code vfio}, {@code kvm}, {@code hardware},
 * {@code kernel}, {@code locking}, {@code sysfs}.
 */
package org.apsysfs.vfio_ap;
