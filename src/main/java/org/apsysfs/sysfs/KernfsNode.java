package org.apsysfs.sysfs;

/**
 * A node of the simulated kernfs tree: a directory, a symbolic link or an attribute.
 * Metadata (mode, owner, times) can be changed by chmod/chown/utimens as on kernfs.
 */
public abstract sealed class KernfsNode permits KernfsDir, KernfsLink, KernfsAttr {
    final String name;
    /**
     * The number of the VFS edge's inode for this node (the FUSE node id the kernel knows it
     * by), 0 while it has none; kernfs keeps {@code kn->id}, the inode number, in the node
     * itself. Kept for directories and links, the nodes that live in the tree; an attribute is
     * a view made per lookup and has none.
     */
    private volatile long inodeId;

    KernfsNode(String name) {
        this.name = name;
    }

    /** See {@link #setInodeId}; 0 if none. */
    public long inodeId() {
        return inodeId;
    }

    /** Records the VFS edge's inode number for this directory or link (ignored for attributes). */
    public void setInodeId(long id) {
        if (!(this instanceof KernfsAttr)) {
            inodeId = id;
        }
    }

    public String name() {
        return name;
    }

    /** The directory holding this node; null for the root. */
    public abstract KernfsDir parent();

    /** Permission bits (without the file type). */
    public abstract int mode();

    public abstract NodeMeta meta();

    /**
     * The node's own metadata if it has one (made by chmod/chown/utimens, or by {@link #meta()}),
     * else null: the node then shows {@link #mode()}, owner root and {@link #defaultTimeMillis()}
     * as all three times. Lets a stat read a node without making metadata for it.
     */
    public abstract NodeMeta metaIfAny();

    /** The times the node shows while it has no metadata of its own. */
    public abstract long defaultTimeMillis();

    /** False once the node was removed from the tree (open files then fail with ENODEV). */
    public abstract boolean active();

    /** The absolute path inside the tree, "/" for the root. */
    public String path() {
        KernfsDir p = parent();
        if (p == null) {
            return "/";
        }
        int len = 0;
        for (KernfsNode n = this; n.parent() != null; n = n.parent()) {
            len += 1 + n.name.length();
        }
        char[] c = new char[len];
        int end = len;
        for (KernfsNode n = this; n.parent() != null; n = n.parent()) {
            int l = n.name.length();
            n.name.getChars(0, l, c, end - l);
            end -= l;
            c[--end] = '/';
        }
        return new String(c);
    }

    int depth() {
        int d = 0;
        for (KernfsDir p = parent(); p != null; p = p.parent()) {
            d++;
        }
        return d;
    }
}
