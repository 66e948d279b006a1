package org.apsysfs.sysfs;

import java.util.List;

/**
 * Told of every change of a {@link Kernfs} tree's shape and of its nodes' attributes, so that
 * the VFS edge can invalidate what the kernel caches (dentries, inode attributes) the way
 * kernfs' own dentry and inode operations keep the kernel's caches right
 * ({@code kernfs_dop_revalidate}, {@code kernfs_refresh_inode} in {@code fs/kernfs/}).
 *
 * <p>Called on the thread that changed the tree, after it released the tree lock (the changes
 * made while it held it come as one batch), never with the tree lock held: a watcher may block
 * (the FUSE edge writes notifications to {@code /dev/fuse}, which waits for the kernel's
 * directory locks). The changing thread may still hold model locks; the watcher must not take
 * any.
 */
public interface KernfsWatcher {
    /** The changes of one locked section (or of one chmod/chown/utimens/xattr change), in order. */
    void changed(Kernfs fs, List<KernfsChange> changes);

    /** {@code fs} was {@linkplain Kernfs#retire() retired}: nothing it showed is valid any more. */
    void retired(Kernfs fs);
}
