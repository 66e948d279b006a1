package org.apsysfs.base;

import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A driver of a bus ({@code struct device_driver}): its directory {@code /sys/bus/B/drivers/N}
 * with {@code bind}, {@code unbind}, {@code uevent} and the {@code module} link, links to the
 * devices bound to it, and the probe/remove callbacks.
 */
public abstract class Driver {
    static final AttributeGroup<Driver> BIND_ATTRS = AttributeGroup.of(
            Attribute.wo("bind", Driver::bindStore),
            Attribute.wo("unbind", Driver::unbindStore));
    static final AttributeGroup<Driver> DRIVER_ATTRS = AttributeGroup.of(
            // uevent_store (drivers/base/bus.c): a driver kobject is in its bus's "drivers"
            // kset, so kobject_uevent_env gives SUBSYSTEM=drivers
            Attribute.wo("uevent", (d, b) -> Uevent.synth(d.kernel, d.dir.path(), "drivers", b, List.of())));

    protected final Kernel kernel;
    private final String name;
    private final BusType bus;
    private final String module;
    private final boolean suppressBindAttrs;
    private KernfsDir dir;

    protected Driver(Kernel kernel, String name, BusType bus, String module, boolean suppressBindAttrs) {
        this.kernel = kernel;
        this.name = name;
        this.bus = bus;
        this.module = module;
        this.suppressBindAttrs = suppressBindAttrs;
    }

    public final String name() {
        return name;
    }

    /** {@code DRIVER=name}, the uevent variable of a device bound to this driver. */
    final String ueventVar() {
        String v = ueventVar;
        if (v == null) {
            v = "DRIVER=" + name;
            ueventVar = v;
        }
        return v;
    }

    private volatile String ueventVar;

    /** Environments of bound devices: a device's base environment to it with {@code DRIVER=} added. */
    private final java.util.concurrent.ConcurrentHashMap<List<String>, List<String>> envs =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code base} with {@link #ueventVar()} inserted at {@code at} (unmodifiable, made once per base). */
    final List<String> envWithDriver(List<String> base, int at) {
        List<String> e = envs.get(base);
        if (e == null || e.indexOf(ueventVar()) != at) {
            List<String> l = new java.util.ArrayList<>(base);
            l.add(at, ueventVar());
            e = List.copyOf(l);
            if (envs.size() < 1024) {
                envs.putIfAbsent(List.copyOf(base), e);
            }
        }
        return e;
    }

    public final BusType bus() {
        return bus;
    }

    public final KernfsDir dir() {
        return dir;
    }

    /**
     * The devices bound to this driver, in name order (the driver's klist: the bus's devices
     * whose driver is this one).
     */
    public final List<Device> boundDevices() {
        List<Device> out = new java.util.ArrayList<>();
        for (Device d : bus.devices()) {
            if (d.driver == this) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * The driver's probe. Throw a {@link KernelException} to refuse; ENODEV and ENXIO are
     * silent refusals, anything else is logged as a failed probe.
     */
    protected abstract void probe(Device dev);

    /** The driver's remove. Must not fail. */
    protected abstract void remove(Device dev);

    /**
     * Attribute tables the driver core adds to every device bound to this driver after a
     * successful probe and removes before remove ({@code drv->dev_groups}).
     */
    protected List<AttributeGroup<?>> devGroups() {
        return List.of();
    }

    /** {@code driver_register}: the directory and files, then binds every matching device. */
    public void register() {
        kernel.sysfs().batch(() -> {
            dir = bus.driversDir().mkdir(name);
            if (!suppressBindAttrs) {
                dir.addGroup(BIND_ATTRS, this);
            }
            dir.addGroup(DRIVER_ATTRS, this);
            if (module != null) {
                KernfsDir mod = kernel.moduleDir().dir(module);
                dir.symlink("module", mod);
                mod.dir("drivers").symlink(bus.name() + ":" + name, dir);
            }
        });
        bus.addDriver(this);
        for (Device dev : bus.devices()) {
            if (dev.driver == null && bus.match(dev, this)) {
                try (Guard g = dev.lock().lock()) {
                    if (dev.driver == null && dev.registered()) {
                        probeDevice(this, dev);
                    }
                }
            }
        }
        bus.driverAttached(this);
    }

    /** {@code driver_unregister}: unbinds every device, removes the directory. */
    public void unregister() {
        for (Device dev : boundDevices()) {
            release(dev);
        }
        bus.removeDriver(this);
        kernel.sysfs().batch(() -> {
            if (module != null) {
                KernfsDir mod = kernel.moduleDir().dir(module);
                mod.dir("drivers").removeChild(bus.name() + ":" + name);
            }
            dir.remove();
        });
    }

    /**
     * {@code really_probe}, with the device lock held: binds, links, calls the bus's probe.
     *
     * @return null on success, or the errno the probe failed with
     */
    static Errno probeDevice(Driver drv, Device dev) {
        if (!dev.registered() || dev.dead) {
            // __driver_probe_device: a device unregistered meanwhile (a bind that looked it up
            // just before a bus scan removed it) is not probed
            return Errno.ENODEV;
        }
        dev.setDriver(drv);
        drv.kernel.sysfs().batch(() -> {
            drv.dir.symlink(dev.name(), dev.dir);
            dev.dir.symlink("driver", drv.dir);
        });
        try {
            drv.bus.probe(dev, drv);
        } catch (KernelException e) {
            drv.kernel.sysfs().batch(() -> {
                drv.dir.removeChild(dev.name());
                dev.dir.removeChild("driver");
            });
            dev.setDriver(null);
            if (e.errno() != Errno.ENODEV && e.errno() != Errno.ENXIO) {
                drv.kernel.log().warn("%s %s: probe with driver %s failed with error -%d",
                        drv.name, dev.name(), drv.name, e.errno().code());
            }
            return e.errno();
        }
        for (AttributeGroup<?> g : drv.devGroups()) {
            addGroup(dev, g);
        }
        dev.uevent("bind");
        return null;
    }

    /**
     * {@code device_driver_attach}: binds {@code dev} to {@code drv} without asking the bus's
     * match (how the mdev core binds a new mdev to its parent's driver).
     *
     * @throws KernelException EBUSY if already bound, or the probe's errno
     */
    public static void attach(Driver drv, Device dev) {
        Errno err;
        try (Guard g = dev.lock().lock()) {
            if (dev.driver != null) {
                throw KernelException.bare(Errno.EBUSY);
            }
            err = probeDevice(drv, dev);
        }
        if (err != null) {
            throw KernelException.bare(err);
        }
    }

    /** {@code device_release_driver}: locks the device, calls remove, unlinks, sends "unbind". */
    public static void release(Device dev) {
        try (Guard g = dev.lock().lock()) {
            releaseLocked(dev);
        }
    }

    /** {@code __device_release_driver}, with the device lock held. */
    static void releaseLocked(Device dev) {
        Driver drv = dev.driver;
        if (drv == null) {
            return;
        }
        for (AttributeGroup<?> g : drv.devGroups()) {
            dev.dir.removeGroup(g);
        }
        drv.kernel.sysfs().batch(() -> {
            drv.dir.removeChild(dev.name());
            dev.dir.removeChild("driver");
        });
        drv.bus.remove(dev, drv);
        dev.setDriver(null);
        dev.uevent("unbind");
    }

    /**
     * {@code bind}: the named device must exist and match this driver (else ENODEV), be
     * unbound (else EBUSY); the probe's errno is returned.
     */
    private void bindStore(String buf) {
        Device dev = bus.findDevice(buf);
        if (dev == null || !bus.match(dev, this)) {
            throw KernelException.of(Errno.ENODEV, "%s: bind: no device '%s' this driver can handle",
                    name, printable(buf));
        }
        Errno err;
        try (Guard g = dev.lock().lock()) {
            if (dev.driver != null) {
                throw KernelException.of(Errno.EBUSY, "%s: bind: %s is already bound to %s",
                        name, dev.name(), dev.driver.name());
            }
            err = probeDevice(this, dev);
        }
        bus.bindingsChanged();
        if (err != null) {
            throw KernelException.of(err, "%s: bind: probe of %s refused with %s", name, dev.name(), err.name());
        }
    }

    /** {@code unbind}: the named device must be bound to this driver, else ENODEV. */
    private void unbindStore(String buf) {
        Device dev = bus.findDevice(buf);
        if (dev == null || dev.driver != this) {
            throw KernelException.of(Errno.ENODEV, "%s: unbind: no device '%s' bound to this driver",
                    name, printable(buf));
        }
        try (Guard g = dev.lock().lock()) {
            if (dev.driver == this) {
                releaseLocked(dev);
            }
        }
        bus.bindingsChanged();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addGroup(Device dev, AttributeGroup g) {
        dev.dir.addGroup(g, dev);
    }

    static String printable(String buf) {
        String s = Uevent.cstr(buf);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
