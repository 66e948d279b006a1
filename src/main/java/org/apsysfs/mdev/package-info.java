/**
 * The mediated device core, {@code drivers/vfio/mdev/mdev_core.c}, {@code mdev_sysfs.c} and
 * {@code mdev_driver.c}: the {@code mdev} bus, parents with their
 * {@code mdev_supported_types/} (the {@code create} file, {@code available_instances},
 * {@code devices/}), mdev devices with {@code remove} and the {@code mdev_type} link, and the
 * {@code /sys/class/mdev_bus} compatibility class.
 *
 * <p>Locks: {@code mdev_list_lock} ({@link org.apsysfs.mdev.MdevCore#MDEV_LIST_LOCK}). May use
 * {@code base}, {@code kernel}, {@code locking}, {@code sysfs}; the vendor driver
 * ({@code vfio_ap}) plugs in through {@link org.apsysfs.mdev.MdevDriver}.
 */
package org.apsysfs.mdev;
