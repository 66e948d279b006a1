package org.apsysfs.sysfs;

/**
 * Inode metadata kept by kernfs ({@code struct kernfs_iattrs}): owner, permission bits,
 * times and the {@code security.*}/{@code trusted.*} extended attributes. Created on first
 * change; changed only by chmod/chown/utimens and setxattr/removexattr.
 */
public final class NodeMeta {
    volatile int mode;
    volatile int uid;
    volatile int gid;
    volatile long atimeMillis;
    volatile long mtimeMillis;
    volatile long ctimeMillis;
    /** Extended attributes by full name ({@code kernfs_iattrs.xattrs}); null until the first is set. Guarded by {@code this}. */
    java.util.TreeMap<String, byte[]> xattrs;

    NodeMeta(int mode, long nowMillis) {
        this.mode = mode;
        this.atimeMillis = nowMillis;
        this.mtimeMillis = nowMillis;
        this.ctimeMillis = nowMillis;
    }

    public int mode() {
        return mode;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public long atimeMillis() {
        return atimeMillis;
    }

    public long mtimeMillis() {
        return mtimeMillis;
    }

    public long ctimeMillis() {
        return ctimeMillis;
    }
}
