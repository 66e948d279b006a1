package org.apsysfs.base;

import org.apsysfs.Kernel;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A device class ({@code struct class}, drivers/base/class.c): its directory
 * {@code /sys/class/NAME}, which holds a link to every device of the class, and the "glue"
 * directory {@code /sys/devices/virtual/NAME} that holds the class's devices without a parent
 * ({@code get_device_parent}/{@code virtual_device_parent}, drivers/base/core.c). The glue
 * directory is made with the first such device and removed with the last
 * ({@code cleanup_glue_dir}).
 */
public final class DeviceClass {
    private final Kernel kernel;
    private final String name;
    private final KernfsDir dir;
    /** Devices in the glue directory; guarded by this. */
    private int virtualCount;

    /** {@code class_register}: makes {@code /sys/class/NAME}. */
    public DeviceClass(Kernel kernel, String name) {
        this.kernel = kernel;
        this.name = name;
        this.dir = kernel.classDir().mkdir(name).markPermanent();
    }

    public String name() {
        return name;
    }

    /** {@code /sys/class/NAME}. */
    public KernfsDir dir() {
        return dir;
    }

    /** {@code /sys/devices/virtual/NAME}, made if missing, for one more device. */
    public synchronized KernfsDir acquireVirtualDir() {
        virtualCount++;
        return kernel.virtualDir().dir(name);
    }

    /** One device less in the glue directory; the last one takes the directory with it. */
    public synchronized void releaseVirtualDir() {
        if (--virtualCount == 0) {
            kernel.virtualDir().removeChild(name);
        }
    }
}
