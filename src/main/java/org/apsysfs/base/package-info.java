/**
 * The driver core: devices, drivers and buses as {@code drivers/base/} has them
 * ({@code core.c}, {@code bus.c}, {@code dd.c}, {@code driver.c}): the standard files every
 * device has ({@code uevent}, {@code power/}, {@code subsystem}, {@code driver}), binding and
 * unbinding through {@code bind}/{@code unbind}/{@code drivers_probe}/{@code drivers_autoprobe},
 * {@code driver_override}, and the uevents of device add/remove/bind/unbind
 * ({@code lib/kobject_uevent.c}); device classes with their class devices and device numbers
 * ({@code class.c}: {@code /sys/class/NAME}, {@code /sys/devices/virtual/NAME},
 * {@code /sys/dev/char}), the misc class ({@code drivers/char/misc.c}) and devtmpfs
 * ({@code devtmpfs.c}: the nodes in the private /dev of {@code scripts/apsysfs shell}).
 *
 * <p>Locks: {@code &dev->mutex} ({@code device_lock}, {@link org.apsysfs.base.Device#DEVICE_LOCK}),
 * held for every probe and remove. May use {@code kernel}, {@code locking}, {@code sysfs}.
 */
package org.apsysfs.base;
