package org.apsysfs.sysfs;

/**
 * A node of the simulated kernfs tree: a directory, a symbolic link or an attribute.
 * Metadata (mode, owner, times) can be changed by chmod/chown/utimens as on kernfs.
 */
public abstract sealed class KernfsNode permits KernfsDir, KernfsLink, KernfsAttr {
    final String name;

    KernfsNode(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The directory holding this node; null for the root. */
    public abstract KernfsDir parent();

    /** Permission bits (without the file type). */
    public abstract int mode();

    public abstract NodeMeta meta();

    /** False once the node was removed from the tree (open files then fail with ENODEV). */
    public abstract boolean active();

    /** The absolute path inside the tree, "/" for the root. */
    public String path() {
        KernfsDir p = parent();
        if (p == null) {
            return "/";
        }
        String pp = p.path();
        return pp.equals("/") ? "/" + name : pp + "/" + name;
    }

    int depth() {
        int d = 0;
        for (KernfsDir p = parent(); p != null; p = p.parent()) {
            d++;
        }
        return d;
    }
}
