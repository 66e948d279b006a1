package org.apsysfs.mdev;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.base.Driver;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.sysfs.KernfsDir;

/**
 * The mediated device core ({@code drivers/vfio/mdev}): the mdev bus, the
 * {@code /sys/class/mdev_bus} compatibility class, parents with their types, and creating and
 * removing mdevs.
 *
 * <p>Locking: the mdev list and each mdev's {@code active} flag are guarded by
 * {@code mdev_list_lock}, which is never held while calling a driver.
 */
public final class MdevCore {
    public static final LockClass MDEV_LIST_LOCK = org.apsysfs.locking.LockRank.MDEV_LIST_LOCK.cls();

    private final Kernel kernel;
    private final MdevBus bus;
    private final KernfsDir classDir;
    private final KMutex listLock = new KMutex(MDEV_LIST_LOCK);
    /** Guarded by mdev_list_lock. */
    private final Map<UUID, MdevDevice> mdevs = new LinkedHashMap<>();

    public MdevCore(Kernel kernel) {
        this.kernel = kernel;
        this.bus = new MdevBus(kernel);
        bus.register();
        this.classDir = kernel.classDir().mkdir("mdev_bus").markPermanent();
    }

    MdevBus bus() {
        return bus;
    }

    public org.apsysfs.base.BusType busType() {
        return bus;
    }

    /**
     * {@code mdev_register_parent}: the type directory, the class link, and a
     * {@code MDEV_STATE=registered} uevent on the parent.
     */
    public MdevParent registerParent(Device parentDev, MdevDriver driver, String parentDriverName,
                                     String typeSysfsName, String typePrettyName) {
        MdevParent p = new MdevParent(this, parentDev, driver, parentDriverName);
        kernel.sysfs().batch(() -> {
            p.addType(typeSysfsName, typePrettyName);
            classDir.symlink(parentDev.name(), parentDev.dir());
        });
        parentDev.uevent("change", "MDEV_STATE=registered");
        kernel.log().info("%s %s: MDEV: Registered", parentDriverName, parentDev.name());
        return p;
    }

    /** The registered mdevs, in creation order. */
    public List<MdevDevice> devices() {
        try (Guard g = listLock.lock()) {
            return new ArrayList<>(mdevs.values());
        }
    }

    public MdevDevice device(UUID uuid) {
        try (Guard g = listLock.lock()) {
            return mdevs.get(uuid);
        }
    }

    /** {@code mdev_device_create}: EEXIST for a UUID in use, EUSERS with no instance left. */
    void create(MdevType type, UUID uuid) {
        MdevParent parent = type.parent();
        MdevDevice mdev;
        try (Guard g = listLock.lock()) {
            if (mdevs.containsKey(uuid)) {
                throw KernelException.of(Errno.EEXIST, "mdev: create: an mdev %s exists already", uuid);
            }
            if (parent.instances().get() == 0) {
                throw KernelException.of(Errno.EUSERS, "mdev: create: %s has no available instances left",
                        type.dir().name());
            }
            parent.instances().decrementAndGet();
            mdev = new MdevDevice(kernel, type, uuid);
            mdevs.put(uuid, mdev);
        }
        try {
            // as mdev_device_create (drivers/vfio/mdev/mdev_core.c): device_add, then
            // device_driver_attach, then mdev_create_sysfs_files. The driver's probe takes its
            // own locks (vfio_ap: guests_lock, mdevs_lock), so it runs outside the tree lock,
            // which is innermost and only ever held to change the tree's shape
            mdev.add(null);
            Driver.attach(parent.driver(), mdev);
            kernel.sysfs().batch(() -> {
                type.devicesDir().symlink(mdev.name(), mdev.dir());
                mdev.dir().symlink("mdev_type", type.dir());
            });
        } catch (KernelException e) {
            if (mdev.registered()) {
                mdev.del();
            }
            try (Guard g = listLock.lock()) {
                mdevs.remove(uuid);
            }
            parent.instances().incrementAndGet();
            throw KernelException.of(e.errno(), "mdev: create: %s: probe failed with %s", uuid, e.errno().name());
        }
        try (Guard g = listLock.lock()) {
            mdev.active = true;
        }
    }

    /**
     * {@code mdev_device_remove}: ENODEV if the device is gone, EAGAIN if a removal is under
     * way. Then {@code mdev_remove_sysfs_files} (the {@code mdev_type} link and the type's
     * {@code devices/<uuid>} link) and {@code device_del}, whose driver release blocks (with no
     * lock of ours held) until user space lets go of the device; the instance comes back after.
     */
    void remove(MdevDevice mdev) {
        try (Guard g = listLock.lock()) {
            if (mdevs.get(mdev.uuid()) != mdev) {
                throw KernelException.of(Errno.ENODEV, "mdev %s: remove: already removed", mdev.name());
            }
            if (!mdev.active) {
                throw KernelException.of(Errno.EAGAIN, "mdev %s: remove: another removal is in progress", mdev.name());
            }
            mdev.active = false;
        }
        MdevParent parent = mdev.type().parent();
        MdevType type = mdev.type();
        kernel.sysfs().batch(() -> {
            mdev.dir().removeChild("mdev_type");
            type.devicesDir().removeChild(mdev.name());
        });
        mdev.del();
        try (Guard g = listLock.lock()) {
            mdevs.remove(mdev.uuid());
        }
        parent.instances().incrementAndGet();
    }
}
