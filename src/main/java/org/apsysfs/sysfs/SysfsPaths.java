package org.apsysfs.sysfs;

/**
 * The well-known places of the AP crypto sysfs ABI, relative to /sys, spelled one way:
 * without a leading slash, directories with a trailing one ({@code MATRIX + uuid}). Every
 * {@link SysfsClient} and {@link Kernfs#lookup} accept them as they are.
 */
public final class SysfsPaths {
    /** {@code /sys/bus/ap} (ap_bus.c's bus files). */
    public static final String AP_BUS = "bus/ap/";
    public static final String APMASK = AP_BUS + "apmask";
    public static final String AQMASK = AP_BUS + "aqmask";
    public static final String AP_DEVICES = AP_BUS + "devices/";
    public static final String AP_DRIVERS = AP_BUS + "drivers/";
    /** vfio_ap's queue driver ({@code vfio_ap_drv.c}). */
    public static final String VFIO_AP_DRIVER = AP_DRIVERS + "vfio_ap/";
    /** The matrix device, the parent of every vfio_ap mdev ({@code vfio_ap_drv.c}). */
    public static final String MATRIX = "devices/vfio_ap/matrix/";
    /** The one mdev type ({@code VFIO_AP_MDEV_TYPE_HWVIRT}, vfio_ap_private.h). */
    public static final String MDEV_TYPE = MATRIX + "mdev_supported_types/vfio_ap-passthrough/";
    public static final String MDEV_CREATE = MDEV_TYPE + "create";
    /** The simulator's control files (debugfs). */
    public static final String DEBUG = "kernel/debug/apsysfs/";
    public static final String GUESTS = DEBUG + "guests/";
    /** Injected AP instruction faults ({@code faults}: "clear all" removes them). */
    public static final String FAULTS = DEBUG + "faults";
    public static final String HOST = DEBUG + "host/";

    private SysfsPaths() {
    }

    /** The directory of mdev {@code uuid}: {@code devices/vfio_ap/matrix/UUID/}. */
    public static String mdev(String uuid) {
        return MATRIX + uuid + "/";
    }

    /** The directory of guest {@code name} below the control files. */
    public static String guest(String name) {
        return GUESTS + name + "/";
    }

    /** The device directory of queue {@code apqn} ("05.0047"): {@code devices/ap/card05/05.0047/}. */
    public static String queue(String apqn) {
        return "devices/ap/card" + apqn.substring(0, 2) + "/" + apqn + "/";
    }
}
