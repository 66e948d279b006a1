package org.apsysfs.mdev;

import org.apsysfs.Kernel;
import org.apsysfs.base.BusType;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;

/**
 * The {@code mdev} bus ({@code mdev_bus_type}). Nothing matches automatically: an mdev is
 * bound to its parent's driver when it is created, so a manual {@code bind} fails with ENODEV.
 */
final class MdevBus extends BusType {
    MdevBus(Kernel kernel) {
        super(kernel, "mdev");
    }

    @Override
    protected boolean match(Device dev, Driver drv) {
        return false;
    }
}
