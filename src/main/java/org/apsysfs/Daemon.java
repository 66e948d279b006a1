package org.apsysfs;

import java.nio.file.Path;
import org.apsysfs.bus.ApBus;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.hardware.MachineSpec;
import org.apsysfs.hardware.MachineSpecException;
import org.apsysfs.debugfs.FaultFiles;
import org.apsysfs.debugfs.GuestFiles;
import org.apsysfs.debugfs.HostFiles;
import org.apsysfs.debugfs.VfioApFiles;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Cmdline;
import org.apsysfs.kvm.Guests;
import org.apsysfs.mdev.MdevCore;
import org.apsysfs.vfio.IommuGroups;
import org.apsysfs.vfio_ap.VfioApDrv;
import org.apsysfs.zcrypt.Cex4Drivers;
import org.apsysfs.zcrypt.ZcryptApi;
import org.apsysfs.debugfs.DevtmpfsFiles;

/**
 * One simulated system as the daemon serves it: the kernel booted on a machine with the AP
 * bus, the zcrypt default drivers and vfio_ap. Tests make one in-process; {@code apsysfs run}
 * makes one per mount.
 */
public final class Daemon {
    private final Kernel kernel;
    private final MachineSpec spec;
    private final ApHardware hardware;
    private final ApBus apBus;
    private final VfioApDrv vfioAp;
    private Guests guests;
    private Cmdline cmdline = Cmdline.empty();

    private Daemon(Kernel kernel, MachineSpec spec, ApHardware hardware, ApBus apBus, VfioApDrv vfioAp) {
        this.kernel = kernel;
        this.spec = spec;
        this.hardware = hardware;
        this.apBus = apBus;
        this.vfioAp = vfioAp;
    }

    /**
     * Boots a system on the named built-in machine ({@code default}, {@code full}) or a
     * machine file.
     *
     * @throws IllegalArgumentException with a message naming the problem if the machine is bad
     */
    public static Daemon create(String machine) {
        return create(machine, Clock.system());
    }

    public static Daemon create(String machine, Clock clock) {
        return create(loadSpec(machine), clock);
    }

    public static MachineSpec loadSpec(String machine) {
        try {
            if (MachineSpec.BUILTIN.contains(machine)) {
                return MachineSpec.builtin(machine);
            }
            Path file = Path.of(machine);
            if (!java.nio.file.Files.exists(file)) {
                throw new IllegalArgumentException("unknown machine '" + machine + "': not a built-in machine ("
                        + String.join(", ", MachineSpec.BUILTIN) + ") and no such file");
            }
            return MachineSpec.load(file);
        } catch (MachineSpecException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Boots: the AP bus and its root device, zcrypt's cex4 drivers, the mdev core and vfio_ap,
     * then the initial bus scan.
     */
    public static Daemon create(MachineSpec spec, Clock clock) {
        return create(spec, clock, hw -> { });
    }

    /**
     * Boots as {@link #create(MachineSpec, Clock)}, letting {@code beforeBus} change the
     * machine before the AP bus first looks at it (a restored state takes adapters out of the
     * host configuration here).
     */
    public static Daemon create(MachineSpec spec, Clock clock, java.util.function.Consumer<ApHardware> beforeBus) {
        return create(spec, clock, beforeBus, Cmdline.empty());
    }

    /**
     * Boots as {@link #create(MachineSpec, Clock, java.util.function.Consumer)} with a kernel
     * command line (the AP bus takes {@code ap.apmask=}/{@code ap.aqmask=} before its first
     * scan).
     *
     * @throws org.apsysfs.kernel.KernelException EINVAL if a parameter's value is bad (nothing booted)
     */
    public static Daemon create(MachineSpec spec, Clock clock, java.util.function.Consumer<ApHardware> beforeBus,
            Cmdline cmdline) {
        ApBus.checkCmdline(cmdline);
        Kernel k = new Kernel(clock);
        if (!cmdline.text().isEmpty()) {
            k.log().info("Kernel command line: %s", cmdline.text());
        }
        ApHardware hw = new ApHardware(spec, clock);
        beforeBus.accept(hw);
        ApBus bus = new ApBus(k, hw);
        bus.register();
        ZcryptApi.init(k);
        Cex4Drivers.register(k, bus);
        MdevCore mdev = new MdevCore(k);
        Guests guests = new Guests();
        VfioApDrv vfio = VfioApDrv.init(k, bus, mdev, new IommuGroups(k), guests);
        new GuestFiles(k, guests, vfio, bus);
        new FaultFiles(k, hw, guests);
        new HostFiles(k, hw, bus);
        new DevtmpfsFiles(k);
        new VfioApFiles(k, vfio.matrixDev());
        bus.bootMasks(cmdline);
        bus.initialScan();
        Daemon d = new Daemon(k, spec, hw, bus, vfio);
        d.cmdline = cmdline;
        d.guests = guests;
        return d;
    }

    /** Stops what runs by itself (the periodic AP bus scan); the system serves no more. */
    public void shutdown() {
        apBus.stopPeriodicScans();
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The kernel command line this system booted with. */
    public Cmdline cmdline() {
        return cmdline;
    }

    public String machineName() {
        return spec.name();
    }

    public MachineSpec machine() {
        return spec;
    }

    public ApHardware hardware() {
        return hardware;
    }

    public ApBus apBus() {
        return apBus;
    }

    /** The simulated KVM guests and the NIB hazard checker. */
    public Guests guests() {
        return guests;
    }

    public VfioApDrv vfioAp() {
        return vfioAp;
    }
}
