/**
 * The part of VFIO that shows in sysfs for an mdev: IOMMU groups ({@code /sys/kernel/iommu_groups/N}
 * and the {@code iommu_group} links, {@code drivers/vfio/group.c},
 * {@code drivers/iommu/iommu.c}).
 *
 * <p>No locks of its own. May use {@code base} and {@code sysfs}.
 */
package org.apsysfs.vfio;
