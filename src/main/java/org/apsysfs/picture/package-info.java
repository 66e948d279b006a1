/**
 * The matrix picture: who owns every APQN (adapter.domain), drawn from sysfs files alone.
 *
 * <p>Kernel counterpart: none; it reads what the AP bus ({@code drivers/s390/crypto/ap_bus.c}),
 * zcrypt and vfio_ap ({@code vfio_ap_drv.c}, {@code vfio_ap_ops.c}) show in sysfs, the way an
 * administrator's tool on a real system would: the bus masks, the card and queue directories
 * with their {@code driver} links, {@code online}/{@code config}/{@code chkstop}, and each mdev's
 * {@code matrix}, {@code guest_matrix} and {@code control_domains}. Why an assigned queue is not
 * in the guest is derived from the rules of {@code vfio_ap_mdev_filter_matrix}, not from the
 * simulator's state. The simulator's debugfs guest files are read only as an extra, when present,
 * to name the guest.
 *
 * <p>Lock: none; every file is read once per picture through a {@link org.apsysfs.picture.SysfsView}
 * (a directory, or the daemon's tree in-process). May use: the JDK and picocli only; nothing of
 * the simulation.
 */
package org.apsysfs.picture;
