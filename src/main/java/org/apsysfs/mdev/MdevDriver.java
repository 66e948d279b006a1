package org.apsysfs.mdev;

import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;

/** A driver for mediated devices ({@code struct mdev_driver}), registered on the mdev bus. */
public abstract class MdevDriver extends Driver {
    private final String deviceApi;
    private final int maxInstances;

    protected MdevDriver(Kernel kernel, MdevCore core, String name, String module, String deviceApi, int maxInstances) {
        super(kernel, name, core.bus(), module, false);
        this.deviceApi = deviceApi;
        this.maxInstances = maxInstances;
    }

    /** {@code device_api}, e.g. {@code vfio-ap}. */
    public final String deviceApi() {
        return deviceApi;
    }

    /** {@code max_instances}: the parent's initial {@code available_instances}. */
    public final int maxInstances() {
        return maxInstances;
    }

    @Override
    protected final void probe(Device dev) {
        probe((MdevDevice) dev);
    }

    /**
     * The driver's remove: first {@link #waitForRelease} (vfio_ap's remove starts with
     * {@code vfio_unregister_group_dev}), then {@link #remove(MdevDevice)}.
     */
    @Override
    protected final void remove(Device dev) {
        waitForRelease((MdevDevice) dev);
        remove((MdevDevice) dev);
    }

    protected abstract void probe(MdevDevice mdev);

    protected abstract void remove(MdevDevice mdev);

    /**
     * Called when the driver is released from the device (from {@code device_del} on
     * {@code remove}), before {@link #remove(MdevDevice)}, with the device lock held as the
     * driver core holds it and no mdev or vfio_ap lock: returns once user space has let go of
     * the device (a VMM closing it). Drivers whose devices can be open block here, as
     * {@code vfio_unregister_group_dev} does.
     */
    protected void waitForRelease(MdevDevice mdev) {
    }
}
