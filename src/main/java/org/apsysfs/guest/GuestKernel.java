package org.apsysfs.guest;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apsysfs.Kernel;
import org.apsysfs.bus.ApBus;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kvm.GuestApView;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.zcrypt.Cex4Drivers;

/**
 * The kernel one simulated KVM guest runs: its own sysfs ({@code /sys/bus/ap},
 * {@code /sys/devices/ap}, {@code /sys/firmware/uv}, its dmesg and uevents under
 * {@code kernel/debug/apsysfs}), booted the first time someone looks at the guest (the guest
 * view mount, a test) and kept for as long as the guest's {@link Kvm} lives.
 *
 * <p>When vfio_ap changes the guest's CRYCB it signals the configuration change; the guest
 * rescans its AP bus on its worker thread, as {@code ap_bus_cfg_chg} queues
 * {@code ap_scan_bus_work}. Readers of the guest's tree first wait for rescans already
 * signalled ({@link #settle}), so what the guest shows right after a host-side write is what
 * the guest kernel has made of it.
 */
public final class GuestKernel {
    /**
     * The guest address of the AP bus's adapter-interruption indicator ({@code ap_airq}'s
     * {@code lsi_ptr}), one byte for all queues; in a protected guest it lies in a page the
     * guest shares with the host (the airq code allocates it from the shared DMA pool).
     */
    public static final long AIRQ_INDICATOR = 0x0010_0000L;
    private static final long SETTLE_SECONDS = 10;
    private static final Map<Kvm, GuestKernel> BOOTED = new WeakHashMap<>();

    /** {@code /sys/firmware/uv} ({@code uv_sysfs_init}, arch/s390/kernel/uv.c): "%d\n" each. */
    static final AttributeGroup<GuestKernel> UV_ATTRS = AttributeGroup.of(
            Attribute.ro("prot_virt_guest", g -> (g.kvm.protectedVm() ? 1 : 0) + "\n"),
            Attribute.ro("prot_virt_host", g -> "0\n"));

    private final Kvm kvm;
    private final Kernel kernel;
    private ApBus bus;
    private final ThreadPoolExecutor worker;
    /** The last rescan queued (guarded by this). */
    private Future<?> lastRescan;

    private GuestKernel(Kvm kvm, Clock clock) {
        this.kvm = kvm;
        this.kernel = new Kernel(clock, "guest-" + kvm.name());
        this.worker = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "guest-" + kvm.name() + "-ap_scan_bus");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Boots the guest's kernel. It runs after the guest kernel is registered, because booting
     * may ask which mounts serve the new tree (devtmpfs), which asks the guest view again.
     */
    private void boot(ApHardware host) {
        kernel.log().info("apsysfs: booted guest %s (%s)", kvm.name(),
                kvm.protectedVm() ? "Secure Execution guest" : "KVM guest");
        kernel.sysfs().root().mkdir("firmware").markPermanent().mkdir("uv").markPermanent().addGroup(UV_ATTRS, this);
        if (kvm.hasCrycb()) {
            GuestApView view = new GuestApView(host, kvm);
            ApBus b = new ApBus(kernel, view);
            b.useAirqIndicator(AIRQ_INDICATOR);
            if (kvm.protectedVm()) {
                kvm.share(AIRQ_INDICATOR);
            }
            b.register();
            Cex4Drivers.register(kernel, b);
            // zcrypt's device interface: /dev/z90crypt and class/zcrypt, as in the host
            org.apsysfs.zcrypt.ZcryptApi.init(kernel);
            this.bus = b;
            kvm.onCfgChanged(this::cfgChanged);
            b.initialScan();
        } else {
            // no CRYCB: AP instructions are not interpreted for the guest, so its kernel finds
            // no AP facility and the AP bus does not come up (ap_module_init: ENODEV)
            kernel.log().info("ap: The hardware system does not support AP instructions");
            this.bus = null;
        }
    }

    /** The guest kernel of {@code kvm}, booted now if it was not yet. */
    public static GuestKernel of(Kvm kvm, ApHardware host, Clock clock) {
        synchronized (BOOTED) {
            GuestKernel g = BOOTED.get(kvm);
            if (g == null) {
                g = new GuestKernel(kvm, clock);
                BOOTED.put(kvm, g);
                g.boot(host);
            }
            return g;
        }
    }

    /** {@code ap_bus_cfg_chg}: queue a bus rescan (runs with the host's locks held: only queues). */
    private void cfgChanged() {
        synchronized (this) {
            lastRescan = worker.submit(() -> {
                try {
                    bus.forceRescan();
                } catch (RuntimeException e) {
                    kernel.log().err("ap: bus rescan after a configuration change failed: %s", e);
                }
            });
        }
    }

    /** Waits until the rescans signalled so far have run (at most a few seconds). */
    public void settle() {
        Future<?> f;
        synchronized (this) {
            f = lastRescan;
        }
        if (f == null) {
            return;
        }
        try {
            f.get(SETTLE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            kernel.log().err("apsysfs: guest %s: AP bus rescan did not finish: %s", kvm.name(), e);
        }
    }

    /** The guest's tree once the signalled rescans have run: what a guest view serves. */
    public Kernfs kernfs() {
        settle();
        return kernel.sysfs();
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The guest's AP bus, null for a guest without CRYCB. */
    public ApBus apBus() {
        return bus;
    }

    public Kvm kvm() {
        return kvm;
    }
}
