package org.apsysfs.sysfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A directory: the sysfs directory of a kernel object (or a plain grouping directory such as
 * {@code /sys/bus}). It holds subdirectories and links as real nodes, and attributes as bound
 * {@link AttributeGroup} tables that are looked up on demand.
 *
 * <p>All structure is guarded by the tree's {@code kernfs_rwsem} ({@link Kernfs#lock}); every
 * mutator here takes it for writing, so a caller may hold model locks while calling them
 * (the kernfs lock is always the innermost lock and is never held while calling out).
 *
 * <p>Memory: a machine has hundreds of thousands of directories and links, so a directory
 * keeps its children in one sorted array ({@link KernfsChildren}), its bound tables in one
 * array, and makes its {@link NodeMeta} only when asked for it.
 */
public final class KernfsDir extends KernfsNode {
    private static final Binding[] NOT_BOUND = new Binding[0];

    final Kernfs fs;
    private final KernfsDir parent;
    private final long created;
    /** Made on first use (most directories are never stat'ed or changed). */
    private volatile NodeMeta meta;
    /** Subdirectories and links. Guarded by fs.lock. */
    private final KernfsChildren kids = new KernfsChildren();
    /** The bound tables, copy-on-write. */
    private volatile Binding[] bound = NOT_BOUND;
    /** Guarded by fs.lock. */
    private int bindings;
    /** Guarded by fs.lock. */
    private int subdirs;
    volatile boolean active = true;
    /** Never removed for the life of the tree (see {@link #markPermanent}). */
    private volatile boolean permanent;
    /** The named group this directory was made for, if any. */
    private AttributeGroup<?> namedGroupSource;
    /** Metadata of attributes that were chmod/chown/utimens'ed; guarded by fs.lock. */
    private volatile Map<String, NodeMeta> attrMeta;

    /** The permission bits before any chmod (0755, as kernfs_create_dir callers give). */
    private volatile int defaultMode = 0755;

    KernfsDir(Kernfs fs, KernfsDir parent, String name) {
        super(name);
        this.fs = fs;
        this.parent = parent;
        this.created = fs.clock.wallMillis();
    }

    @Override
    public KernfsDir parent() {
        return parent;
    }

    @Override
    public int mode() {
        NodeMeta m = meta;
        return m == null ? defaultMode : m.mode;
    }

    @Override
    public NodeMeta meta() {
        NodeMeta m = meta;
        if (m == null) {
            synchronized (this) {
                m = meta;
                if (m == null) {
                    m = new NodeMeta(defaultMode, created);
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

    /** The ctime the directory shows (what its attributes show as their times until changed). */
    long ctimeMillis() {
        NodeMeta m = meta;
        return m == null ? created : m.ctimeMillis;
    }

    @Override
    public boolean active() {
        return active;
    }

    public Kernfs kernfs() {
        return fs;
    }

    /** Binds {@code owner} to {@code group}; {@code seq} tells a re-bound table from the one an open file was made for. */
    record Binding(AttributeGroup<?> group, Object owner, int seq) {
    }

    // ------------------------------------------------------------------ mutators

    /** Creates a subdirectory ({@code kernfs_create_dir}); a duplicate name is a model bug. */
    public KernfsDir mkdir(String childName) {
        boolean locked = fs.writeLock();
        try {
            int i = checkFree(childName);
            KernfsDir d = new KernfsDir(fs, this, childName);
            kids.put(i, d);
            subdirs++;
            fs.changedLocked(KernfsChange.entry(this, childName));
            fs.changedLocked(KernfsChange.linkCount(this));
            return d;
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /** Returns the existing subdirectory, or creates it. */
    public KernfsDir dir(String childName) {
        boolean locked = fs.writeLock();
        try {
            KernfsNode n = kids.active(childName);
            if (n instanceof KernfsDir d) {
                return d;
            }
            return mkdir(childName);
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /** Creates a symbolic link to {@code target} ({@code sysfs_create_link}). */
    public KernfsLink symlink(String linkName, KernfsNode target) {
        boolean locked = fs.writeLock();
        try {
            int i = checkFree(linkName);
            KernfsLink l = new KernfsLink(this, linkName, target, fs.clock.wallMillis());
            kids.put(i, l);
            fs.changedLocked(KernfsChange.entry(this, linkName));
            return l;
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /** Binds an attribute table to {@code owner} ({@code sysfs_create_group}). */
    public <T> void addGroup(AttributeGroup<T> group, T owner) {
        boolean locked = fs.writeLock();
        try {
            if (group.name() != null) {
                KernfsDir sub = mkdir(group.name());
                sub.addGroup(group.contents(), owner);
                sub.namedGroupSource = group;
                return;
            }
            checkFreeFor(group);
            Binding[] b = bound;
            Binding[] n = Arrays.copyOf(b, b.length + 1);
            n[b.length] = new Binding(group, owner, bindings++);
            bound = n;
            for (Attribute<?> a : group.attributes()) {
                fs.changedLocked(KernfsChange.entry(this, a.name()));
            }
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /** Unbinds an attribute table ({@code sysfs_remove_group}); absent tables are ignored. */
    public void removeGroup(AttributeGroup<?> group) {
        boolean locked = fs.writeLock();
        try {
            if (group.name() != null) {
                KernfsNode n = kids.active(group.name());
                if (n instanceof KernfsDir d && d.namedGroupSource == group) {
                    removeChild(group.name());
                }
                return;
            }
            Binding[] b = bound;
            Binding[] n = Arrays.stream(b).filter(x -> x.group() != group).toArray(Binding[]::new);
            if (n.length == b.length) {
                return;
            }
            bound = n.length == 0 ? NOT_BOUND : n;
            for (Attribute<?> a : group.attributes()) {
                fs.changedLocked(KernfsChange.entry(this, a.name()));
            }
            Map<String, NodeMeta> am = attrMeta;
            if (am != null) {
                for (Attribute<?> a : group.attributes()) {
                    am.remove(a.name());
                }
            }
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /** True while {@code group} is bound here. */
    public boolean hasGroup(AttributeGroup<?> group) {
        if (group.name() != null) {
            KernfsNode n = child(group.name());
            return n instanceof KernfsDir d && d.namedGroupSource == group;
        }
        for (Binding b : bound) {
            if (b.group() == group) {
                return true;
            }
        }
        return false;
    }

    /** Removes the named child (recursively); returns false if there was none. */
    public boolean removeChild(String childName) {
        boolean locked = fs.writeLock();
        try {
            int i = kids.find(childName);
            if (i < 0) {
                return false;
            }
            KernfsNode n = kids.slot(i);
            if (n instanceof KernfsDir d) {
                if (!d.active) {
                    return false;
                }
                d.checkRemovable();
                subdirs--;
                d.deactivate();
                fs.changedLocked(KernfsChange.linkCount(this));
            } else if (n instanceof KernfsLink l) {
                if (!l.active) {
                    return false;
                }
                l.active = false;
            }
            kids.drop(i);
            fs.changedLocked(KernfsChange.removed(this, n));
            return true;
        } finally {
            fs.writeUnlock(locked);
        }
    }

    /**
     * Declares that this directory exists for as long as the tree does: the skeleton made at
     * boot ({@code /sys/bus}, {@code bus/ap/devices}, {@code devices/vfio_ap/matrix}, ...),
     * which no store, hot plug or scan removes. The FUSE edge lets the kernel keep such
     * directories in its dentry cache instead of looking them up again on every path walk.
     * Only below a permanent directory (or the root); removing one is a model bug.
     *
     * @return this
     */
    public KernfsDir markPermanent() {
        if (parent != null && !parent.permanent) {
            throw new IllegalStateException(path() + ": a permanent directory needs a permanent parent");
        }
        permanent = true;
        return this;
    }

    /**
     * Sets the permission bits this directory has until a chmod: for a directory that stands
     * for another file system's root mounted there (debugfs at kernel/debug is 0700).
     */
    public KernfsDir withDefaultMode(int mode) {
        defaultMode = mode & 07777;
        return this;
    }

    /** True if this directory is never removed ({@link #markPermanent}). */
    public boolean permanent() {
        return permanent;
    }

    private void checkRemovable() {
        if (permanent) {
            throw new IllegalStateException(path() + " is permanent and cannot be removed");
        }
    }

    /** Removes this directory and everything below it ({@code kernfs_remove}). */
    public void remove() {
        checkRemovable();
        boolean locked = fs.writeLock();
        try {
            if (parent != null && parent.kids.active(name) == this) {
                parent.removeChild(name);
            } else {
                deactivate();
            }
        } finally {
            fs.writeUnlock(locked);
        }
    }

    private void deactivate() {
        active = false;
        for (int i = 0; i < kids.slots(); i++) {
            KernfsNode c = kids.slot(i);
            if (c instanceof KernfsDir d) {
                if (d.active) {
                    d.deactivate();
                }
            } else if (c instanceof KernfsLink l) {
                l.active = false;
            }
        }
        kids.clear();
        subdirs = 0;
        bound = NOT_BOUND;
    }

    /**
     * Refuses a bad or taken name (a model bug); returns what {@link #find} says about the
     * name (no active child has it).
     */
    private int checkFree(String childName) {
        int i = checkName(childName);
        if ((i >= 0 && KernfsChildren.isActive(kids.slot(i))) || findAttr(childName) != null) {
            throw duplicate(childName);
        }
        return i;
    }

    /** Refuses a bad name or a removed directory; returns what {@link #find} says about the name. */
    private int checkName(String childName) {
        if (childName.isEmpty() || childName.indexOf('/') >= 0 || childName.equals(".") || childName.equals("..")) {
            throw new IllegalArgumentException("bad sysfs name '" + childName + "'");
        }
        if (!active) {
            throw new IllegalStateException("sysfs: cannot create " + path() + "/" + childName + ": directory removed");
        }
        return kids.find(childName);
    }

    private IllegalStateException duplicate(String childName) {
        return new IllegalStateException("sysfs: cannot create duplicate filename '" + path() + "/" + childName + "'");
    }

    /**
     * {@link #checkFree} for every attribute of {@code group}; that no bound table has one of
     * its names is asked of the tables (which remember it), only the children by name.
     */
    private void checkFreeFor(AttributeGroup<?> group) {
        boolean slow = !group.namesValid || !active;
        Binding[] b = bound;
        for (int i = 0; i < b.length && !slow; i++) {
            slow = !b[i].group().disjointFrom(group);
        }
        for (int i = 0; i < kids.slots() && !slow; i++) {
            KernfsNode k = kids.slot(i);
            slow = KernfsChildren.isActive(k) && group.get(k.name) != null;
        }
        if (slow) {
            // something is wrong: say what, as for a single name
            for (Attribute<?> a : group.attributes()) {
                checkFree(a.name());
            }
        }
    }

    // ------------------------------------------------------------------ queries

    /** The child called {@code childName}: a directory, link or attribute; null if none. */
    public KernfsNode child(String childName) {
        boolean readLocked = fs.readLock();
        try {
            KernfsNode n = kids.active(childName);
            if (n != null) {
                return n;
            }
            return attrNode(childName);
        } finally {
            fs.readUnlock(readLocked);
        }
    }

    /**
     * The child named {@code path[from, to)}; the caller holds fs.lock (read). Makes no string
     * unless the child is an attribute.
     */
    KernfsNode childAt(String path, int from, int to) {
        KernfsNode n = kids.active(path, from, to);
        if (n != null) {
            return n;
        }
        if (bound.length == 0) {
            return null;
        }
        return attrNode(from == 0 && to == path.length() ? path : path.substring(from, to));
    }

    private KernfsAttr attrNode(String attrName) {
        for (Binding b : bound) {
            Attribute<?> a = b.group().get(attrName);
            if (a != null) {
                return new KernfsAttr(this, b, a);
            }
        }
        return null;
    }

    private Attribute<?> findAttr(String attrName) {
        for (Binding b : bound) {
            Attribute<?> a = b.group().get(attrName);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** The names of all entries, attributes first in table order, then subdirectories and links. */
    public List<String> list() {
        boolean readLocked = fs.readLock();
        try {
            Binding[] b = bound;
            List<String> out = new ArrayList<>(kids.count() + 8 * b.length);
            for (Binding x : b) {
                for (Attribute<?> a : x.group().attributes()) {
                    out.add(a.name());
                }
            }
            kids.addNames(out);
            return out;
        } finally {
            fs.readUnlock(readLocked);
        }
    }

    /** Number of entries (attributes, directories, links). */
    public int size() {
        boolean readLocked = fs.readLock();
        try {
            int n = kids.count();
            for (Binding b : bound) {
                n += b.group().attributes().size();
            }
            return n;
        } finally {
            fs.readUnlock(readLocked);
        }
    }

    /** Number of subdirectories (for st_nlink = 2 + subdirs, as kernfs reports). */
    public int subdirCount() {
        boolean readLocked = fs.readLock();
        try {
            return subdirs;
        } finally {
            fs.readUnlock(readLocked);
        }
    }

    /**
     * True while {@code binding} is in place: the same table bound to the same owner (both by
     * identity) with the same binding number.
     */
    boolean bound(Binding binding) {
        if (!active) {
            return false;
        }
        for (Binding b : bound) {
            if (b.group() == binding.group() && b.owner() == binding.owner() && b.seq() == binding.seq()) {
                return true;
            }
        }
        return false;
    }

    /** The metadata of attribute {@code attrName} if it has its own (or {@code create}: made now). */
    NodeMeta attrMeta(String attrName, int defaultMode, boolean create) {
        if (!create) {
            Map<String, NodeMeta> am = attrMeta;
            if (am == null) {
                return null;
            }
            boolean readLocked = fs.readLock();
            try {
                return am.get(attrName);
            } finally {
                fs.readUnlock(readLocked);
            }
        }
        boolean locked = fs.writeLock();
        try {
            Map<String, NodeMeta> am = attrMeta;
            if (am == null) {
                am = new HashMap<>();
                attrMeta = am;
            }
            return am.computeIfAbsent(attrName, k -> new NodeMeta(defaultMode, ctimeMillis()));
        } finally {
            fs.writeUnlock(locked);
        }
    }
}
