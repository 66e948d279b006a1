package org.apsysfs.base;

import java.util.BitSet;
import org.apsysfs.Kernel;

/**
 * Miscellaneous character devices ({@code drivers/char/misc.c}): the {@code misc} class, major
 * {@code MISC_MAJOR} 10, and {@code misc_register} with a dynamic minor, which the newest
 * kernel takes from {@code misc_minors_ida} in the range {@code MISC_DYNAMIC_MINOR + 1 ..
 * MINORMASK} (the first dynamic misc device gets 256). The device is made with
 * {@code device_create_with_groups(&misc_class, NULL, devt, ...)}: no parent, so it lives in
 * {@code /sys/devices/virtual/misc/NAME}.
 */
public final class Misc {
    public static final int MISC_MAJOR = 10;
    /** {@code MISC_DYNAMIC_MINOR}. */
    public static final int MISC_DYNAMIC_MINOR = 255;

    private static final java.util.Map<Kernel, Misc> INSTANCES = new java.util.WeakHashMap<>();

    private final DeviceClass cls;
    private final BitSet minors = new BitSet();

    private Misc(Kernel kernel) {
        this.cls = new DeviceClass(kernel, "misc");
    }

    /** The misc class of {@code kernel} ({@code misc_init}: {@code class_register(&misc_class)}). */
    public static synchronized Misc of(Kernel kernel) {
        return INSTANCES.computeIfAbsent(kernel, Misc::new);
    }

    /** {@code misc_register} of a device with {@code MISC_DYNAMIC_MINOR}: the registered device. */
    public synchronized Device registerDynamic(Kernel kernel, String name) {
        int minor = minors.nextClearBit(MISC_DYNAMIC_MINOR + 1);
        minors.set(minor);
        MiscDevice d = new MiscDevice(kernel, name);
        d.setClass(cls, MISC_MAJOR, minor);
        d.add(cls.acquireVirtualDir());
        return d;
    }

    private static final class MiscDevice extends Device {
        MiscDevice(Kernel kernel, String name) {
            super(kernel, name, null, null);
        }
    }
}
