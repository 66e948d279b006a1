/**
 * The only FUSE code: mounting a {@link org.apsysfs.sysfs.Kernfs} tree over libfuse 2
 * (jnr-fuse and jnr-ffi), the request loop on Java threads, the raw callbacks of the hot
 * requests, what the kernel may cache and its invalidation ({@code KernelCache}, the
 * {@link org.apsysfs.sysfs.KernfsWatcher} of the tree served), the single place where a
 * {@link org.apsysfs.kernel.KernelException} becomes {@code -errno}, and the one map between
 * the caller's ids and the simulation's ({@link org.apsysfs.fuse.MountOwner}: a normal
 * user's daemon makes that user root of the simulated system).
 *
 * <p>Kernel counterpart: the VFS side of {@code fs/sysfs} and {@code fs/kernfs}
 * ({@code kernfs_fop_*}, {@code kernfs_iop_*}). Takes no model lock itself; every callback
 * calls into {@code sysfs}, which takes the tree lock. May use {@code sysfs} and
 * {@code kernel} only.
 */
package org.apsysfs.fuse;
