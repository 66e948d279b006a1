package org.apsysfs.vfio;

import java.util.BitSet;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;

/**
 * IOMMU groups ({@code /sys/kernel/iommu_groups/<N>}). VFIO gives each emulated-IOMMU device
 * (an mdev) a group of its own named {@code vfio-noiommu}; the device gets an
 * {@code iommu_group} link and the group a {@code devices/<name>} link back.
 */
public final class IommuGroups {
    /** One group. */
    public record Group(int id, KernfsDir dir) {
    }

    static final AttributeGroup<Group> GROUP_ATTRS = AttributeGroup.of(
            Attribute.ro("name", g -> "vfio-noiommu\n"),
            Attribute.ro("reserved_regions", g -> ""),
            Attribute.ro("type", g -> "unknown\n"));

    private final Kernel kernel;
    private final KernfsDir groupsDir;
    /** Guarded by this: ids in use (ida). */
    private final BitSet ids = new BitSet();

    public IommuGroups(Kernel kernel) {
        this.kernel = kernel;
        this.groupsDir = kernel.kernelDir().mkdir("iommu_groups");
    }

    /** {@code iommu_group_alloc} + {@code iommu_group_add_device}: the lowest free id. */
    public Group allocFor(Device dev) {
        int id;
        synchronized (this) {
            id = ids.nextClearBit(0);
            ids.set(id);
        }
        Group[] out = new Group[1];
        kernel.sysfs().batch(() -> {
            KernfsDir d = groupsDir.mkdir(Integer.toString(id));
            Group g = new Group(id, d);
            d.addGroup(GROUP_ATTRS, g);
            d.mkdir("devices").symlink(dev.name(), dev.dir());
            dev.dir().symlink("iommu_group", d);
            out[0] = g;
        });
        return out[0];
    }

    /** Removes the device from its group and frees the group. */
    public void release(Group g, Device dev) {
        kernel.sysfs().batch(() -> {
            if (dev.dir() != null && dev.dir().active()) {
                dev.dir().removeChild("iommu_group");
            }
            g.dir().remove();
        });
        synchronized (this) {
            ids.clear(g.id());
        }
    }
}
