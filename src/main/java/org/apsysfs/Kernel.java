package org.apsysfs;

import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.Uevents;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;

/**
 * The simulated kernel: its clock, log, uevents and sysfs, and the subsystems booted into it.
 * The sysfs root holds {@code bus/}, {@code class/}, {@code devices/}, {@code kernel/} and
 * {@code module/}, so it can stand in for {@code /sys}.
 */
public final class Kernel {
    private final Clock clock;
    private final KernelLog log;
    private final Uevents uevents = new Uevents();
    private final Kernfs sysfs;
    private final KernfsDir bus;
    private final KernfsDir devices;
    private final KernfsDir virtualDir;
    private final KernfsDir devChar;
    private final KernfsDir classDir;
    private final KernfsDir kernelDir;
    private final KernfsDir module;
    private final KernfsDir control;

    /** The simulator's control files: {@code /sys/kernel/debug/apsysfs}. */
    static final AttributeGroup<Kernel> CONTROL_ATTRS = AttributeGroup.of(
            Attribute.log("dmesg", k -> k.log.text()),
            Attribute.log("uevents", k -> k.uevents.text()),
            Attribute.log("store_times", k -> k.sysfs.storeTimes().text()));

    public Kernel(Clock clock) {
        this.clock = clock;
        this.log = new KernelLog(clock);
        this.sysfs = new Kernfs(clock, log);
        KernfsDir root = sysfs.root();
        this.bus = root.mkdir("bus").markPermanent();
        this.classDir = root.mkdir("class").markPermanent();
        this.devices = root.mkdir("devices").markPermanent();
        // the parent of devices without a parent (virtual_device_parent, drivers/base/core.c)
        this.virtualDir = devices.mkdir("virtual").markPermanent();
        this.kernelDir = root.mkdir("kernel").markPermanent();
        // /sys/dev/char and /sys/dev/block: MAJOR:MINOR links to devices (device_create_sys_dev_entry)
        KernfsDir dev = root.mkdir("dev").markPermanent();
        dev.mkdir("block").markPermanent();
        this.devChar = dev.mkdir("char").markPermanent();
        this.module = root.mkdir("module").markPermanent();
        // /sys/kernel/debug is where debugfs is mounted; its root is root-only (debugfs'
        // DEBUGFS_DEFAULT_MODE 0700, fs/debugfs/inode.c), so only root reaches the control files
        this.control = kernelDir.mkdir("debug").markPermanent().withDefaultMode(0700)
                .mkdir("apsysfs").markPermanent();
        control.addGroup(CONTROL_ATTRS, this);
    }

    public Clock clock() {
        return clock;
    }

    public KernelLog log() {
        return log;
    }

    public Uevents uevents() {
        return uevents;
    }

    public Kernfs sysfs() {
        return sysfs;
    }

    /** {@code /sys/bus}. */
    public KernfsDir busDir() {
        return bus;
    }

    /** {@code /sys/devices}. */
    public KernfsDir devicesDir() {
        return devices;
    }

    /** {@code /sys/devices/virtual}. */
    public KernfsDir virtualDir() {
        return virtualDir;
    }

    /** {@code /sys/dev/char}. */
    public KernfsDir devCharDir() {
        return devChar;
    }

    /** {@code /sys/class}. */
    public KernfsDir classDir() {
        return classDir;
    }

    /** {@code /sys/kernel}. */
    public KernfsDir kernelDir() {
        return kernelDir;
    }

    /** {@code /sys/module}. */
    public KernfsDir moduleDir() {
        return module;
    }

    /** {@code /sys/kernel/debug/apsysfs}: the simulator's control files. */
    public KernfsDir controlDir() {
        return control;
    }
}
