package org.apsysfs.sysfs;

/**
 * Inode metadata kept by kernfs ({@code struct kernfs_iattrs}): owner, permission bits and
 * times. Created with the node; changed only by chmod/chown/utimens.
 */
public final class NodeMeta {
    volatile int mode;
    volatile int uid;
    volatile int gid;
    volatile long atimeMillis;
    volatile long mtimeMillis;
    volatile long ctimeMillis;

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
