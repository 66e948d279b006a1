package org.apsysfs.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A bus ({@code struct bus_type}): {@code /sys/bus/N} with {@code devices/}, {@code drivers/},
 * {@code drivers_autoprobe}, {@code drivers_probe}, {@code uevent} and the bus's own
 * attributes; matching and probing devices against drivers.
 */
public class BusType {
    static final AttributeGroup<BusType> BUS_STD_ATTRS = AttributeGroup.of(
            Attribute.wo("drivers_probe", BusType::driversProbeStore),
            Attribute.rw("drivers_autoprobe", b -> (b.autoprobe ? 1 : 0) + "\n", BusType::autoprobeStore),
            // bus_uevent_store: the bus kobject is in the "bus" kset (no uevent_ops->name), so
            // kobject_uevent_env gives SUBSYSTEM=bus
            Attribute.wo("uevent", (b, buf) -> Uevent.synth(b.kernel, b.dir.path(), "bus", buf, List.of())));

    protected final Kernel kernel;
    private final String name;
    private KernfsDir dir;
    private KernfsDir devicesDir;
    private KernfsDir driversDir;
    private volatile boolean autoprobe = true;
    /** The registered devices by name (a hash map: a bus may have 65,792 devices; sorted when listed). */
    private final Map<String, Device> devices;
    private final List<Driver> drivers = new CopyOnWriteArrayList<>();

    public BusType(Kernel kernel, String name) {
        this(kernel, name, 16);
    }

    /** A bus expected to have about {@code expectedDevices} devices (sizes its device table). */
    protected BusType(Kernel kernel, String name, int expectedDevices) {
        this.kernel = kernel;
        this.name = name;
        this.devices = new ConcurrentHashMap<>(expectedDevices);
    }

    public final String name() {
        return name;
    }

    public final KernfsDir dir() {
        return dir;
    }

    public final KernfsDir devicesDir() {
        return devicesDir;
    }

    public final KernfsDir driversDir() {
        return driversDir;
    }

    /** The bus's own attributes ({@code bus_groups}); none by default. */
    protected List<AttributeGroup<?>> busGroups() {
        return List.of();
    }

    /** {@code bus_register}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void register() {
        kernel.sysfs().batch(() -> {
            // buses are never unregistered here: the kernel may cache these directories
            dir = kernel.busDir().mkdir(name).markPermanent();
            devicesDir = dir.mkdir("devices").markPermanent();
            driversDir = dir.mkdir("drivers").markPermanent();
            dir.addGroup(BUS_STD_ATTRS, this);
            for (AttributeGroup g : busGroups()) {
                dir.addGroup(g, this);
            }
        });
    }

    /** {@code bus->match}; every driver matches by default. */
    protected boolean match(Device dev, Driver drv) {
        return true;
    }

    /** {@code bus->probe}: the driver's probe by default. */
    protected void probe(Device dev, Driver drv) {
        drv.probe(dev);
    }

    /** {@code bus->remove}: the driver's remove by default. */
    protected void remove(Device dev, Driver drv) {
        drv.remove(dev);
    }

    /** Called after a bind/unbind through sysfs or a driver registration changed bindings. */
    protected void bindingsChanged() {
    }

    /** Called when a newly registered driver finished attaching to existing devices. */
    protected void driverAttached(Driver drv) {
        bindingsChanged();
    }

    final void addDevice(Device dev) {
        devices.put(dev.name(), dev);
        bumpChanges();
        dev.onBus = true;
        recount(dev);
    }

    final void removeDevice(Device dev) {
        if (devices.remove(dev.name(), dev)) {
            bumpChanges();
            dev.onBus = false;
            recount(dev);
        }
    }

    private void bumpChanges() {
        listChanges.incrementAndGet();
    }

    // ------------------------------------------------------------------ binding counts

    /** Guards the counts and every device's {@link Device#counted}/{@link Device#countedBound}. */
    private final Object countLock = new Object();
    /** Devices in the list that {@link #counted} selects. */
    private int countedDevices;
    /** Of those, the ones with a driver. */
    private int countedBound;

    /** Which devices {@link #countedDevices()} and {@link #countedBound()} count (none by default). */
    protected boolean counted(Device dev) {
        return false;
    }

    /**
     * Brings the counts up to date with the device's list membership and driver; called after
     * either changed (the last call sees both, so the counts are exact whatever the order).
     */
    final void recount(Device dev) {
        if (!counted(dev)) {
            return;
        }
        synchronized (countLock) {
            boolean listed = dev.onBus;
            boolean bound = listed && dev.driver != null;
            if (listed != dev.counted) {
                countedDevices += listed ? 1 : -1;
                dev.counted = listed;
            }
            if (bound != dev.countedBound) {
                countedBound += bound ? 1 : -1;
                dev.countedBound = bound;
            }
        }
    }

    /**
     * The listed devices that {@link #counted} selects ({@code [0]}) and how many of them have a
     * driver ({@code [1]}), taken together.
     */
    public final int[] bindingCounts() {
        synchronized (countLock) {
            return new int[] {countedDevices, countedBound};
        }
    }

    final void addDriver(Driver drv) {
        drivers.add(drv);
    }

    final void removeDriver(Driver drv) {
        drivers.remove(drv);
    }

    /** The registered devices, in name order. */
    public final List<Device> devices() {
        Sorted c = sorted;
        long m = listChanges.get();
        if (c == null || c.changes != m) {
            List<Device> l = new ArrayList<>(devices.values());
            l.sort((a, b) -> a.name().compareTo(b.name()));
            c = new Sorted(m, l);
            // a change made meanwhile counted up: this list is then not used again
            sorted = c;
        }
        return new ArrayList<>(c.devices);
    }

    /** The device list sorted by name, as of {@link #listChanges} = {@code changes}. */
    private record Sorted(long changes, List<Device> devices) {
    }

    /** Made on demand, kept until the list changes. */
    private volatile Sorted sorted;
    /** Counts additions and removals (incremented after the change). */
    private final java.util.concurrent.atomic.AtomicLong listChanges = new java.util.concurrent.atomic.AtomicLong();

    /** The number of registered devices. */
    public final int deviceCount() {
        return devices.size();
    }

    public final Device device(String devName) {
        return devices.get(devName);
    }

    public final List<Driver> drivers() {
        return List.copyOf(drivers);
    }

    /** {@code bus_find_device_by_name}: compares like sysfs_streq (a trailing newline is ignored). */
    public final Device findDevice(String buf) {
        String s = Uevent.cstr(buf);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return devices.get(s);
    }

    /** {@code bus_probe_device}: attach a driver if autoprobe is on. */
    final void probeDevice(Device dev) {
        if (autoprobe) {
            attach(dev);
        }
    }

    /** {@code device_attach}: tries each matching driver in registration order until one binds. */
    public final boolean attach(Device dev) {
        try (Guard g = dev.lock().lock()) {
            return attachLocked(dev);
        }
    }

    /** {@code device_attach} with the device lock already held. */
    public final boolean attachLocked(Device dev) {
        if (dev.driver != null) {
            return true;
        }
        if (!dev.registered()) {
            return false;
        }
        for (Driver drv : drivers) {
            if (match(dev, drv) && Driver.probeDevice(drv, dev) == null) {
                return true;
            }
        }
        return false;
    }

    /** {@code device_reprobe}: release the driver, then attach again. */
    public final void reprobe(Device dev) {
        try (Guard g = dev.lock().lock()) {
            Driver.releaseLocked(dev);
            attachLocked(dev);
        }
    }

    private void driversProbeStore(String buf) {
        Device dev = findDevice(buf);
        if (dev == null) {
            throw KernelException.of(Errno.ENODEV, "%s: drivers_probe: no device '%s'", name, Driver.printable(buf));
        }
        attach(dev);
        bindingsChanged();
    }

    private void autoprobeStore(String buf) {
        autoprobe = buf.isEmpty() || buf.charAt(0) != '0';
    }
}
