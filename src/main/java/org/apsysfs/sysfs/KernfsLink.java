package org.apsysfs.sysfs;

/**
 * A symbolic link. As in sysfs, the target is a node, and the relative path is computed when
 * the link is read, so links keep resolving inside the tree wherever it is mounted.
 */
public final class KernfsLink extends KernfsNode {
    private final KernfsDir parent;
    private final KernfsNode target;
    private final long created;
    /** Made on first chown/utimens (links are many; most never need their own metadata). */
    private volatile NodeMeta meta;
    volatile boolean active = true;

    KernfsLink(KernfsDir parent, String name, KernfsNode target, long nowMillis) {
        super(name);
        this.parent = parent;
        this.target = target;
        this.created = nowMillis;
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
        NodeMeta m = meta;
        if (m == null) {
            synchronized (this) {
                m = meta;
                if (m == null) {
                    m = new NodeMeta(0777, created);
                    meta = m;
                }
            }
        }
        return m;
    }

    @Override
    public NodeMeta metaIfAny() {
        return meta;
    }

    @Override
    public long defaultTimeMillis() {
        return created;
    }

    @Override
    public boolean active() {
        return active;
    }

    public KernfsNode target() {
        return target;
    }

    /**
     * The relative target, e.g. {@code ../../../devices/ap/card04} (kernfs_get_target_path):
     * climb from the link's directory to the nearest ancestor of the target's <em>parent</em>,
     * then descend to the target. So a link to an ancestor of its own directory names it
     * ({@code ttyS0/device -> ../../../00:00:0.0}) instead of ending in {@code ../}.
     */
    public String targetPath() {
        KernfsNode kn = target;
        KernfsNode tp = kn.parent() != null ? kn.parent() : kn;
        KernfsNode a = parent;
        KernfsNode b = tp;
        int da = a.depth();
        int db = b.depth();
        StringBuilder up = new StringBuilder(48);
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
        int depth = 0;
        for (KernfsNode n = kn; n != common && n.parent() != null; n = n.parent()) {
            depth++;
        }
        KernfsNode[] down = new KernfsNode[depth];
        int i = depth;
        for (KernfsNode n = kn; n != common && n.parent() != null; n = n.parent()) {
            down[--i] = n;
        }
        for (int j = 0; j < depth; j++) {
            if (j > 0) {
                up.append('/');
            }
            up.append(down[j].name);
        }
        return up.toString();
    }
}
