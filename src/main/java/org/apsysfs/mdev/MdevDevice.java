package org.apsysfs.mdev;

import java.util.List;
import java.util.UUID;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kernel.Printable;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * A mediated device ({@code struct mdev_device}): {@code /sys/devices/<parent>/<uuid>} on the
 * mdev bus, named by its UUID in lower case, with {@code remove} and the {@code mdev_type} link.
 */
public final class MdevDevice extends org.apsysfs.base.Device {
    /** {@code mdev_device_groups}. */
    static final AttributeGroup<MdevDevice> MDEV_ATTRS = AttributeGroup.of(
            Attribute.wo("remove", MdevDevice::removeStore));

    private final UUID uuid;
    private final MdevType type;
    /** Guarded by the core's mdev_list_lock. */
    boolean active;
    private volatile Object drvdata;

    MdevDevice(Kernel kernel, MdevType type, UUID uuid) {
        super(kernel, uuid.toString(), type.parent().device(), type.parent().core().bus());
        this.uuid = uuid;
        this.type = type;
    }

    public UUID uuid() {
        return uuid;
    }

    public MdevType type() {
        return type;
    }

    public Object drvdata() {
        return drvdata;
    }

    public void setDrvdata(Object data) {
        this.drvdata = data;
    }

    @Override
    protected List<AttributeGroup<?>> typeGroups() {
        return List.of(MDEV_ATTRS);
    }

    /**
     * {@code remove}: kstrtoul base 0, any failure (also overflow) → EINVAL; 0 does nothing;
     * otherwise the {@code remove} file takes itself away at once ({@code
     * device_remove_file_self}: only the first of concurrent writers goes on, a writer that
     * opened it earlier then gets ENODEV from kernfs) and the device is removed, blocking while
     * a VMM holds it open: ENODEV if it is already gone, EAGAIN if another remove is under way.
     */
    private void removeStore(String buf) {
        long v;
        try {
            v = Kstrtox.kstrtoul(buf, 0);
        } catch (KernelException e) {
            throw KernelException.of(Errno.EINVAL, "mdev %s: remove: '%s' is not a number", name(), Printable.of(buf));
        }
        if (v != 0 && removeSelf()) {
            type.parent().core().remove(this);
        }
    }

    /** {@code device_remove_file_self}: true for the one caller that removed the file. */
    private synchronized boolean removeSelf() {
        if (dir() == null || !dir().hasGroup(MDEV_ATTRS)) {
            return false;
        }
        dir().removeGroup(MDEV_ATTRS);
        return true;
    }
}
