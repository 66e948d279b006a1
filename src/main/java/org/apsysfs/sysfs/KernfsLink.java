package org.apsysfs.sysfs;

/**
 * A symbolic link. As in sysfs, the target is a node, and the relative path is computed when
 * the link is read, so links keep resolving inside the tree wherever it is mounted.
 */
public final class KernfsLink extends KernfsNode {
    private final KernfsDir parent;
    private final KernfsNode target;
    private final NodeMeta meta;
    volatile boolean active = true;

    KernfsLink(KernfsDir parent, String name, KernfsNode target, long nowMillis) {
        super(name);
        this.parent = parent;
        this.target = target;
        this.meta = new NodeMeta(0777, nowMillis);
    }

    @Override
    public KernfsDir parent() {
        return parent;
    }

    @Override
    public int mode() {
        return 0777;
    }

    @Override
    public NodeMeta meta() {
        return meta;
    }

    @Override
    public boolean active() {
        return active;
    }

    public KernfsNode target() {
        return target;
    }

    /** The relative target, e.g. {@code ../../../devices/ap/card04} (kernfs_get_target_path). */
    public String targetPath() {
        // common ancestor of the link's directory and the target
        KernfsNode base = parent;
        KernfsNode kn = target;
        int baseDepth = base.depth();
        int knDepth = kn.depth();
        StringBuilder up = new StringBuilder();
        KernfsNode a = base;
        KernfsNode b = kn;
        int da = baseDepth;
        int db = knDepth;
        while (da > db) {
            a = a.parent();
            da--;
            up.append("../");
        }
        while (db > da) {
            b = b.parent();
            db--;
        }
        while (a != b) {
            a = a.parent();
            b = b.parent();
            up.append("../");
        }
        KernfsNode common = a;
        StringBuilder down = new StringBuilder();
        for (KernfsNode n = kn; n != common; n = n.parent()) {
            down.insert(0, n.name);
            if (n.parent() != common) {
                down.insert(0, '/');
            }
        }
        return up.append(down).toString();
    }
}
