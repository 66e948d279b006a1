/**
 * A kernfs-like tree and sysfs's file semantics ({@code fs/kernfs/}, {@code fs/sysfs/}):
 * directories, links and attribute files made from one declarative attribute table per object
 * type ({@link org.apsysfs.sysfs.Attribute}, {@link org.apsysfs.sysfs.AttributeGroup}, the
 * simulator's {@code DEVICE_ATTR_*}), the open rules, per-open snapshots of a show, one store
 * per write, and the errno kernfs returns for what it does not support
 * ({@link org.apsysfs.sysfs.Kernfs#changeShape}). Every change of the tree's shape and of a
 * node's metadata is told to one {@link org.apsysfs.sysfs.KernfsWatcher} (the VFS edge
 * invalidates the kernel's caches with it) after the tree lock is released. Knows nothing
 * about FUSE.
 *
 * <p>Locks: the tree lock ({@code kernfs_rwsem} in {@link org.apsysfs.sysfs.Kernfs}), the
 * innermost lock of the system, never held while a show or store runs. Uses {@code kernel}
 * only.
 */
package org.apsysfs.sysfs;
