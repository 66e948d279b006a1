package org.apsysfs.vfio_ap;

import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.base.BusType;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;
import org.apsysfs.bus.ApBus;
import org.apsysfs.mdev.MdevCore;
import org.apsysfs.mdev.MdevDevice;
import org.apsysfs.mdev.MdevDriver;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.vfio.IommuGroups;

/**
 * The vfio_ap module ({@code vfio_ap_drv.c}): the {@code matrix} bus with its {@code vfio_ap}
 * driver, the root device {@code /sys/devices/vfio_ap} with the {@code matrix} device, the mdev
 * parent with its {@code vfio_ap-passthrough} type, the {@code vfio_ap_mdev} driver and the
 * {@code vfio_ap} queue driver on the AP bus.
 */
public final class VfioApDrv {
    /** {@code MAX_ZDEV_ENTRIES_EXT}: 256 x 256 instances. */
    static final int MAX_INSTANCES = 65536;

    private final MatrixDev matrixDev;
    private final VfioApLifecycle lifecycle;

    private VfioApDrv(MatrixDev matrixDev, VfioApLifecycle lifecycle) {
        this.matrixDev = matrixDev;
        this.lifecycle = lifecycle;
    }

    /** {@code vfio_ap_init}. */
    public static VfioApDrv init(Kernel kernel, ApBus apBus, MdevCore mdevCore, IommuGroups iommuGroups,
                                 org.apsysfs.kvm.Guests guests) {
        MatrixDev md = new MatrixDev(kernel, apBus, mdevCore, iommuGroups);
        InterruptControl irq = new InterruptControl(apBus.hardware(), kernel.clock(), kernel.log(), guests);
        QueueReset reset = new QueueReset(apBus.hardware(), kernel.clock(), kernel.log(), irq);
        VfioApOps ops = new VfioApOps(md, reset);
        VfioApLifecycle lc = new VfioApLifecycle(md, ops, reset, irq);

        // vfio_ap_matrix_dev_create: the matrix bus, its driver, the root and matrix devices
        BusType matrixBus = new BusType(kernel, "matrix");
        matrixBus.register();
        Driver matrixDriver = new MatrixDriver(kernel, matrixBus);
        matrixDriver.register();
        Device root = new Device(kernel, "vfio_ap", null, null) {
        };
        root.add(kernel.devicesDir());
        root.dir().symlink("module", kernel.moduleDir().dir("vfio_ap"));
        Device matrix = new Device(kernel, "matrix", root, matrixBus) {
        };
        matrix.add(null);
        // the module is never unloaded here: devices/vfio_ap/matrix lives as long as the tree
        root.dir().markPermanent();
        matrix.dir().markPermanent();
        md.root = root;
        md.device = matrix;

        // vfio_ap_mdev_register: the mdev driver and the parent with its type
        VfioApMdevDriver mdevDriver = new VfioApMdevDriver(kernel, mdevCore, lc);
        mdevDriver.register();
        md.parent = mdevCore.registerParent(matrix, mdevDriver, "vfio_ap", "passthrough", "VFIO AP Passthrough Device");

        // ap_driver_register(&vfio_ap_drv)
        VfioApQueueDriver qdrv = new VfioApQueueDriver(kernel, apBus, md, lc);
        md.queueDriver = qdrv;
        qdrv.register();
        return new VfioApDrv(md, lc);
    }

    public MatrixDev matrixDev() {
        return matrixDev;
    }

    /**
     * The guest interrupt registrations of the queues linked to {@code m} (what the guest's
     * PQAP(AQIC) enable set up), by APQN: {@code {isc, guest NIB address}}, in APQN order.
     */
    public java.util.SortedMap<Integer, long[]> interruptRegistrations(MatrixMdev m) {
        // read without mdevs_lock: the saved state must not wait for a store that holds it for
        // as long as the kernel's would (a queue reset that does not end). A snapshot: a store
        // that changes a registration saves again, from its own thread, after it returns
        java.util.SortedMap<Integer, long[]> out = new java.util.TreeMap<>();
        ApMatrix mx = m.matrix;
        for (int apid : mx.apm().ids()) {
            for (int apqi : mx.aqm().ids()) {
                VfioApQueue q = m.qtable.get((apid << 8) | apqi);
                int isc = q == null ? VfioApQueue.ISC_INVALID : q.savedIsc;
                if (isc != VfioApQueue.ISC_INVALID) {
                    out.put(q.apqn, new long[] {isc, q.savedIova});
                }
            }
        }
        return out;
    }

    /** The mdev with this name (UUID), or null. */
    public MatrixMdev mdev(String uuid) {
        for (MatrixMdev m : matrixDev.mdevs()) {
            if (m.name().equals(uuid)) {
                return m;
            }
        }
        return null;
    }

    /** The matrix bus's driver: no bind/unbind files; gives the matrix device its {@code features}. */
    static final class MatrixDriver extends Driver {
        static final AttributeGroup<Device> MATRIX_DEV_ATTRS = AttributeGroup.of(
                Attribute.ro("features", d -> "guest_matrix hotplug ap_config\n"));

        MatrixDriver(Kernel kernel, BusType bus) {
            // no module: matrix_driver sets neither .owner nor .mod_name, so module_add_driver
            // makes neither bus/matrix/drivers/vfio_ap/module nor module/vfio_ap/drivers/matrix:vfio_ap
            // (the spec's 1.5 lists a module link; the kernel's vfio_ap_drv.c does not make one)
            super(kernel, "vfio_ap", bus, null, true);
        }

        @Override
        protected void probe(Device dev) {
        }

        @Override
        protected void remove(Device dev) {
        }

        @Override
        protected List<AttributeGroup<?>> devGroups() {
            return List.of(MATRIX_DEV_ATTRS);
        }
    }

    /** {@code vfio_ap_mdev_driver}. */
    static final class VfioApMdevDriver extends MdevDriver {
        private final VfioApLifecycle lc;

        VfioApMdevDriver(Kernel kernel, MdevCore core, VfioApLifecycle lc) {
            super(kernel, core, "vfio_ap_mdev", "vfio_ap", "vfio-ap", MAX_INSTANCES);
            this.lc = lc;
        }

        @Override
        protected void probe(MdevDevice mdev) {
            lc.probeMdev(mdev);
        }

        @Override
        protected void remove(MdevDevice mdev) {
            lc.removeMdev(mdev);
        }

        @Override
        protected void waitForRelease(MdevDevice mdev) {
            MatrixMdev m = MatrixMdev.of(mdev);
            if (m != null) {
                m.vdev.waitForRelease();
            }
        }

        @Override
        protected List<AttributeGroup<?>> devGroups() {
            return List.of(MatrixMdev.MDEV_ATTRS);
        }
    }
}
