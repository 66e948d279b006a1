package org.apsysfs.mdev;

import java.util.concurrent.atomic.AtomicInteger;
import org.apsysfs.base.Device;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A device that hosts mediated devices ({@code struct mdev_parent}): its
 * {@code mdev_supported_types/} directory, its driver, and the instance counter.
 */
public final class MdevParent {
    private final MdevCore core;
    private final Device device;
    private final MdevDriver driver;
    private final AtomicInteger availableInstances;
    private final String driverName;
    private MdevType type;

    MdevParent(MdevCore core, Device device, MdevDriver driver, String driverName) {
        this.core = core;
        this.device = device;
        this.driver = driver;
        this.driverName = driverName;
        this.availableInstances = new AtomicInteger(driver.maxInstances());
    }

    void addType(String sysfsName, String prettyName) {
        KernfsDir types = device.dir().mkdir("mdev_supported_types");
        if (device.dir().permanent()) {
            types.markPermanent(); // parents are never unregistered here
        }
        type = new MdevType(this, sysfsName, prettyName);
        type.add(types);
    }

    public MdevCore core() {
        return core;
    }

    public Device device() {
        return device;
    }

    public MdevDriver driver() {
        return driver;
    }

    /** The parent device's driver name, the prefix of type directory names. */
    String driverName() {
        return driverName;
    }

    public MdevType type() {
        return type;
    }

    public int availableInstances() {
        return availableInstances.get();
    }

    AtomicInteger instances() {
        return availableInstances;
    }
}
