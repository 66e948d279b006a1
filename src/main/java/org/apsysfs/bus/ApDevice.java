package org.apsysfs.bus;

import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.hardware.ApMode;

/** A device on the AP bus ({@code struct ap_device}): a card or a queue. */
public abstract sealed class ApDevice extends Device permits ApCard, ApQueue {
    protected final ApBus apBus;

    ApDevice(Kernel kernel, String name, Device parent, ApBus bus) {
        super(kernel, name, parent, bus);
        this.apBus = bus;
    }

    /** The compatible AP type (10..14), {@code ap_dev->device_type}. */
    public abstract int deviceType();

    /** The card's mode. */
    public abstract ApMode mode();

    public ApBus apBus() {
        return apBus;
    }

    @Override
    protected void addUeventVars(List<String> env) {
        env.add(mode().ueventVar());
    }
}
