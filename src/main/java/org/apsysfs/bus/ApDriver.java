package org.apsysfs.bus;

import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Qci;

/**
 * A driver on the AP bus ({@code struct ap_driver}): handles cards or queues of AP types
 * 10..14, is a default driver (zcrypt's cex4card/cex4queue) or not (vfio_ap), and may answer
 * the bus's {@code in_use} question and its configuration-change notifications.
 */
public abstract class ApDriver extends Driver {
    private final boolean isDefault;
    private final boolean forCards;

    protected ApDriver(Kernel kernel, ApBus bus, String name, String module, boolean isDefault, boolean forCards) {
        super(kernel, name, bus, module, false);
        this.isDefault = isDefault;
        this.forCards = forCards;
    }

    /** {@code AP_DRIVER_FLAG_DEFAULT}. */
    public final boolean isDefault() {
        return isDefault;
    }

    /** True for card drivers, false for queue drivers. */
    public final boolean forCards() {
        return forCards;
    }

    /** The {@code ap_device_id} table: AP types 10..14 of the driver's device kind. */
    boolean handles(ApDevice dev) {
        int t = dev.deviceType();
        return (dev instanceof ApCard) == forCards && t >= ApBus.AP_DEVICE_TYPE_CEX4 && t <= ApBus.AP_DEVICE_TYPE_CEX8;
    }

    /**
     * {@code in_use}: whether any APQN of {@code apm} x {@code aqm} is in use by this driver.
     * Called with {@code ap_attr_mutex} held.
     */
    public boolean inUse(ApMask apm, ApMask aqm) {
        return false;
    }

    /** {@code on_config_changed}: QCI changed, before devices are touched (ap_scan_bus_mutex held). */
    public void onConfigChanged(Qci newInfo, Qci oldInfo) {
    }

    /** {@code on_scan_complete}: after the scan that saw a QCI change (ap_scan_bus_mutex held). */
    public void onScanComplete(Qci newInfo, Qci oldInfo) {
    }

    @Override
    protected final void probe(Device dev) {
        if (dev instanceof ApCard c) {
            probeCard(c);
        } else {
            probeQueue((ApQueue) dev);
        }
    }

    @Override
    protected final void remove(Device dev) {
        if (dev instanceof ApCard c) {
            removeCard(c);
        } else {
            removeQueue((ApQueue) dev);
        }
    }

    protected void probeCard(ApCard card) {
    }

    protected void removeCard(ApCard card) {
    }

    protected void probeQueue(ApQueue queue) {
    }

    protected void removeQueue(ApQueue queue) {
    }
}
