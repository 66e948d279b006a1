package org.apsysfs.base;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A device in the driver model ({@code struct device}): a directory under its parent, a bus,
 * a bound driver, and the standard files every device has ({@code uevent}, {@code power/},
 * the {@code subsystem} and {@code driver} links).
 *
 * <p>Locking: {@link #driver} changes only under {@link #lock()} ({@code device_lock}).
 */
public class Device {
    /** The lock class of every {@code device_lock} ({@code &dev->mutex}). */
    public static final LockClass DEVICE_LOCK = org.apsysfs.locking.LockRank.DEVICE_LOCK.cls();

    /** The standard files of every device. */
    static final AttributeGroup<Device> DEVICE_ATTRS = AttributeGroup.of(
            Attribute.rw("uevent", Device::ueventShow, Device::ueventStore));

    /** {@code power/} with runtime PM unsupported, as on a device that never enabled it. */
    static final AttributeGroup<Device> POWER_ATTRS = AttributeGroup.named("power",
            Attribute.rw("autosuspend_delay_ms", d -> {
                throw KernelException.bare(Errno.EIO);
            }, (d, b) -> {
                throw KernelException.bare(Errno.EIO);
            }),
            Attribute.rw("control", d -> d.powerControl + "\n", Device::powerControlStore),
            Attribute.ro("runtime_active_time", d -> "0\n"),
            Attribute.ro("runtime_status", d -> "unsupported\n"),
            Attribute.ro("runtime_suspended_time", d -> "0\n"));

    /** "DEVTYPE=t" strings, made once per device type. */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> DEVTYPE_VARS =
            new java.util.concurrent.ConcurrentHashMap<>();

    protected final Kernel kernel;
    private final String name;
    private final Device parent;
    private final KMutex mutex;
    /** The bus, or null for root and class devices. Set before {@link #add}. */
    BusType bus;
    /** Guarded by device_lock. */
    volatile Driver driver;
    KernfsDir dir;
    private volatile boolean registered;
    /** In its bus's device list ({@link BusType#devices()}). */
    volatile boolean onBus;
    /** As counted by the bus ({@link BusType#recount}); guarded by the bus's count lock. */
    boolean counted;
    boolean countedBound;
    /** Being deleted ({@code dev->p->dead}): set under device_lock; probes refuse it. */
    volatile boolean dead;
    private volatile String powerControl = "auto";
    /** The class of a class device ({@code dev->class}), or null. Set before {@link #add}. */
    private DeviceClass deviceClass;
    /** {@code dev->devt} as (major, minor), or -1 for none. Set before {@link #add}. */
    private int major = -1;
    private int minor = -1;

    /** {@code dev->devt}: the device's dev_t file and MAJOR/MINOR/DEVNAME ({@code devt_attr}, {@code dev_uevent}). */
    static final AttributeGroup<Device> DEVT_ATTRS = AttributeGroup.of(
            Attribute.ro("dev", d -> d.major + ":" + d.minor + "\n"));

    protected Device(Kernel kernel, String name, Device parent, BusType bus) {
        this.kernel = kernel;
        this.name = name;
        this.parent = parent;
        this.bus = bus;
        this.mutex = new KMutex(DEVICE_LOCK, "device_lock", name);
    }

    public final String name() {
        return name;
    }

    public final Device parent() {
        return parent;
    }

    public final BusType bus() {
        return bus;
    }

    /** The bound driver, or null. */
    public final Driver driver() {
        return driver;
    }

    /** Binds or unbinds ({@code dev->driver = ...}); the caller holds the device lock. */
    final void setDriver(Driver d) {
        driver = d;
        BusType b = bus;
        if (b != null) {
            b.recount(this);
        }
    }

    /** The device's sysfs directory (valid while registered). */
    public final KernfsDir dir() {
        return dir;
    }

    public final boolean registered() {
        return registered;
    }

    /** True while the device is in its bus's device list. */
    public final boolean onBus() {
        return onBus;
    }

    /** {@code device_lock}. */
    public final KMutex lock() {
        return mutex;
    }

    public final Kernel kernel() {
        return kernel;
    }

    /**
     * Makes this a class device with a device number ({@code dev->class = cls; dev->devt =
     * MKDEV(major, minor)}), before {@link #add}: the directory gets {@code dev} and a
     * {@code subsystem} link to {@code /sys/class/CLS}, the class directory a link to the
     * device, and the device's uevents carry {@code MAJOR}, {@code MINOR} and
     * {@code DEVNAME} ({@code dev_uevent}, drivers/base/core.c). {@code major < 0}: no dev_t.
     */
    protected final void setClass(DeviceClass cls, int major, int minor) {
        this.deviceClass = cls;
        this.major = major;
        this.minor = minor;
    }

    /** The class of a class device, or null. */
    public final DeviceClass deviceClass() {
        return deviceClass;
    }

    /** {@code MAJOR(dev->devt)}, or -1. */
    public final int major() {
        return major;
    }

    /** {@code MINOR(dev->devt)}, or -1. */
    public final int minor() {
        return minor;
    }

    /**
     * The node name below /dev ({@code device_get_devnode}): the class's devnode callback if it
     * has one, else the device name with every {@code !} turned into {@code /}.
     */
    public String devnode() {
        return name.replace('!', '/');
    }

    /** {@code DEVTYPE=}, from the device type's name; null for none. */
    protected String devtype() {
        return null;
    }

    /** Attribute tables of the device type, added when the device is registered. */
    protected List<AttributeGroup<?>> typeGroups() {
        return List.of();
    }

    /** The bus's and type's uevent variables ({@code bus->uevent}, {@code type->uevent}). */
    protected void addUeventVars(List<String> env) {
    }

    /** The path below /sys, e.g. {@code /devices/ap/card04}. */
    public final String devpath() {
        return dir.path();
    }

    /** The environment of a uevent of this device, as {@code dev_uevent} builds it (unmodifiable). */
    public final List<String> ueventEnv() {
        List<String> base = ueventBaseEnv();
        Driver d = driver;
        if (d == null) {
            return base;
        }
        return d.envWithDriver(base, devtype() != null ? 1 : 0);
    }

    /**
     * The environment without {@code DRIVER=}: {@code DEVTYPE=} (if any), then the bus's and
     * type's variables ({@link #addUeventVars}). Unmodifiable. Device types whose variables
     * never change return the same list every time (a big machine sends a lot of uevents).
     */
    protected List<String> ueventBaseEnv() {
        List<String> env = new ArrayList<>(6);
        if (major >= 0) {
            env.add("MAJOR=" + major);
            env.add("MINOR=" + minor);
            env.add("DEVNAME=" + devnode());
        }
        String t = devtype();
        if (t != null) {
            env.add(DEVTYPE_VARS.computeIfAbsent(t, v -> "DEVTYPE=" + v));
        }
        addUeventVars(env);
        return List.copyOf(env);
    }

    /** True if the uevent filter lets events of this device through (it has a bus or class). */
    protected boolean ueventFiltered() {
        return bus == null && deviceClass == null;
    }

    private String ueventShow() {
        if (ueventFiltered()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String e : ueventEnv()) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }

    private void ueventStore(String buf) {
        Uevent.synth(kernel, devpath(), subsystemName(), buf, ueventEnv());
    }

    private void powerControlStore(String buf) {
        String v = Uevent.cstr(buf);
        if (v.equals("on") || v.equals("on\n")) {
            powerControl = "on";
        } else if (v.equals("auto") || v.equals("auto\n")) {
            powerControl = "auto";
        } else {
            throw KernelException.bare(Errno.EINVAL);
        }
    }

    /** The subsystem name for uevents (the bus name), or null. */
    protected String subsystemName() {
        if (bus != null) {
            return bus.name();
        }
        return deviceClass == null ? null : deviceClass.name();
    }

    /** Sends a uevent for this device with extra variables (KOBJ_CHANGE etc.). */
    public final void uevent(String action, String... extra) {
        List<String> env = ueventEnv();
        if (extra.length > 0) {
            env = new ArrayList<>(env);
            env.addAll(List.of(extra));
        }
        kernel.uevents().send(action, dir::path, subsystemName(), env);
    }

    /**
     * {@code device_add}: creates the directory in {@code parentDir} (the parent's directory if
     * null), the standard files, the {@code subsystem} link and the bus's device link, sends
     * "add", then lets the bus probe a driver.
     */
    public final void add(KernfsDir parentDir) {
        KernfsDir where = parentDir != null ? parentDir : parent.dir;
        kernel.sysfs().batch(() -> {
            dir = where.mkdir(name);
            dir.addGroup(DEVICE_ATTRS, this);
            dir.addGroup(POWER_ATTRS, this);
            for (AttributeGroup<?> g : typeGroups()) {
                addGroupUnchecked(g);
            }
            if (major >= 0) {
                dir.addGroup(DEVT_ATTRS, this);
                // device_create_sys_dev_entry: /sys/dev/char/MAJOR:MINOR
                kernel.devCharDir().symlink(major + ":" + minor, dir);
            }
            if (bus != null) {
                dir.symlink("subsystem", bus.dir());
                bus.devicesDir().symlink(name, dir);
            } else if (deviceClass != null) {
                // device_add_class_symlinks: subsystem, and the class's link to the device
                dir.symlink("subsystem", deviceClass.dir());
                deviceClass.dir().symlink(name, dir);
            }
        });
        dead = false;
        registered = true;
        if (major >= 0) {
            Devtmpfs.of(kernel).createNode(devnode(), major, minor);
        }
        if (bus != null) {
            bus.addDevice(this);
        }
        if (!ueventFiltered()) {
            kernel.uevents().send("add", dir::path, subsystemName(), ueventEnv());
        }
        if (bus != null) {
            bus.probeDevice(this);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void addGroupUnchecked(AttributeGroup g) {
        dir.addGroup(g, this);
    }

    /**
     * Gives an already registered device a bus without linking it into the bus (no
     * {@code subsystem} link, not in {@code /sys/bus/B/devices}, never probed), as a driver
     * does with {@code root->bus = &bus_type} after {@code root_device_register}: the device's
     * uevents then pass the uevent filter and carry {@code SUBSYSTEM=B}.
     */
    public final void setBusUnlinked(BusType b) {
        this.bus = b;
    }

    /** {@code device_del}: releases the driver, removes the links and the directory, sends "remove". */
    public final void del() {
        del(null);
    }

    /**
     * {@code device_del}, also running {@code alsoRemove} in the same tree update that removes the
     * directory (for links elsewhere that must vanish together with it).
     */
    public final void del(Runnable alsoRemove) {
        if (!registered) {
            return;
        }
        if (bus != null) {
            // kill_device: from now on no driver may bind, even a bind that already looked the
            // device up and waits for its lock
            try (org.apsysfs.locking.Guard g = mutex.lock()) {
                dead = true;
            }
            // bus_remove_device: the subsystem and bus links go before the driver is released
            // (a driver's remove may block, e.g. an mdev waiting for its VMM)
            kernel.sysfs().batch(() -> {
                dir.removeChild("subsystem");
                bus.devicesDir().removeChild(name);
            });
            Driver.release(this);
            bus.removeDevice(this);
        }
        String path = devpath();
        List<String> env = ueventEnv();
        registered = false;
        kernel.sysfs().batch(() -> {
            if (alsoRemove != null) {
                alsoRemove.run();
            }
            if (bus != null) {
                bus.devicesDir().removeChild(name);
            } else if (deviceClass != null) {
                deviceClass.dir().removeChild(name);
            }
            if (major >= 0) {
                kernel.devCharDir().removeChild(major + ":" + minor);
            }
            dir.remove();
        });
        if (major >= 0) {
            Devtmpfs.of(kernel).deleteNode(devnode());
        }
        if (!ueventFiltered()) {
            kernel.uevents().send("remove", path, subsystemName(), env);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
