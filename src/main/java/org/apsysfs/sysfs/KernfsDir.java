package org.apsysfs.sysfs;

import java.util.ArrayList;
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
 * keeps its children in one sorted array (a removed child stays in place, inactive, until
 * enough have been removed to compact; so removing the children of a huge directory in order
 * costs no copying), its bound tables in one array, and makes its {@link NodeMeta} only when
 * asked for it.
 */
public final class KernfsDir extends KernfsNode {
    private static final KernfsNode[] NO_CHILDREN = new KernfsNode[0];
    private static final Object[] NOT_BOUND = new Object[0];
    /** Stride of {@link #bound}: table, owner, binding number. */
    private static final int B = 3;

    final Kernfs fs;
    private final KernfsDir parent;
    private final long created;
    /** Made on first use (most directories are never stat'ed or changed). */
    private volatile NodeMeta meta;
    /** Children sorted by name; slots {@code [0, nkids)} are used, removed ones are inactive. Guarded by fs.lock. */
    private KernfsNode[] kids = NO_CHILDREN;
    private int nkids;
    /** Inactive (removed) children still in {@link #kids}. */
    private int ntomb;
    /** The slot after the child added or removed last: where the next name most likely goes. */
    private int hint;
    /**
     * The slot of the child looked up last (written by readers under the read lock: a racy hint,
     * checked before use; any int is safe).
     */
    private int lookupHint;
    /**
     * The bound tables, copy-on-write: (group, owner, Integer binding number) triples. The
     * binding number tells a re-bound table from the one an open file was made for.
     */
    private volatile Object[] bound = NOT_BOUND;
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

    // ------------------------------------------------------------------ children array

    /** Index of the slot named {@code childName} (active or not), or -(insertion point) - 1. */
    private int find(String childName) {
        int lo = 0;
        int hi = nkids - 1;
        KernfsNode[] k = kids;
        if (hi >= 0) {
            // names mostly come in order (a bus scan, a driver binding or unbinding a range of
            // devices): try the end, then the slot after the last one added or removed
            int c = k[hi].name.compareTo(childName);
            if (c < 0) {
                return -(hi + 2);
            } else if (c == 0) {
                return hi;
            }
            int h = hint;
            if (h > 0 && h <= hi) {
                int c1 = k[h - 1].name.compareTo(childName);
                if (c1 == 0) {
                    return h - 1;
                }
                if (c1 < 0) {
                    // k[hi] is known to be greater
                    int c2 = h == hi ? 1 : k[h].name.compareTo(childName);
                    if (c2 == 0) {
                        return h;
                    }
                    if (c2 > 0) {
                        return -(h + 1);
                    }
                    lo = h + 1;
                } else {
                    hi = h - 2;
                }
            } else {
                hi--;
            }
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = k[mid].name.compareTo(childName);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** {@link #find} for the name {@code path[from, to)}, without making a string. */
    private int find(String path, int from, int to) {
        int lo = 0;
        int hi = nkids - 1;
        KernfsNode[] k = kids;
        // a directory listing is looked up name after name: try the slot after the last one found
        int h = lookupHint + 1;
        if (h <= hi && compareRegion(k[h].name, path, from, to) == 0) {
            lookupHint = h;
            return h;
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareRegion(k[mid].name, path, from, to);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                lookupHint = mid;
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** {@code a.compareTo(path.substring(from, to))}. */
    private static int compareRegion(String a, String path, int from, int to) {
        int la = a.length();
        int lb = to - from;
        int n = Math.min(la, lb);
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = path.charAt(from + i);
            if (ca != cb) {
                return ca - cb;
            }
        }
        return la - lb;
    }

    private static boolean isActive(KernfsNode n) {
        return n instanceof KernfsDir d ? d.active : n instanceof KernfsLink l && l.active;
    }

    /** The active child called {@code childName}, or null. Caller holds fs.lock. */
    private KernfsNode kid(String childName) {
        int i = find(childName);
        if (i < 0) {
            return null;
        }
        KernfsNode n = kids[i];
        return isActive(n) ? n : null;
    }

    /**
     * Adds a child at {@code i}, what {@link #find} answered for its name (which is free: no
     * slot, or an inactive one). Caller holds fs.lock for writing.
     */
    private void putKid(int i, KernfsNode n) {
        if (i >= 0) {
            // an inactive (removed) child of that name: take its slot
            kids[i] = n;
            ntomb--;
            hint = i + 1;
            return;
        }
        int at = -(i + 1);
        if (nkids == kids.length) {
            KernfsNode[] grown = new KernfsNode[nkids == 0 ? 4 : nkids < 64 ? nkids * 2 : nkids + (nkids >> 1)];
            System.arraycopy(kids, 0, grown, 0, at);
            System.arraycopy(kids, at, grown, at + 1, nkids - at);
            kids = grown;
        } else {
            System.arraycopy(kids, at, kids, at + 1, nkids - at);
        }
        kids[at] = n;
        nkids++;
        hint = at + 1;
    }

    /** Removes the active child {@code n} at slot {@code i} from the array. Caller holds fs.lock for writing. */
    private void dropKid(int i) {
        ntomb++;
        hint = i + 1;
        if (i == nkids - 1) {
            kids[--nkids] = null;
            ntomb--;
        }
        if (ntomb > 8 && ntomb * 2 > nkids) {
            compact();
        }
    }

    private void compact() {
        int j = 0;
        for (int i = 0; i < nkids; i++) {
            if (isActive(kids[i])) {
                kids[j++] = kids[i];
            }
        }
        for (int i = j; i < nkids; i++) {
            kids[i] = null;
        }
        nkids = j;
        ntomb = 0;
        hint = 0;
        if (kids.length > 16 && j < kids.length / 4) {
            KernfsNode[] k = new KernfsNode[Math.max(4, j * 2)];
            System.arraycopy(kids, 0, k, 0, j);
            kids = k;
        }
    }

    // ------------------------------------------------------------------ mutators

    /** Creates a subdirectory ({@code kernfs_create_dir}); a duplicate name is a model bug. */
    public KernfsDir mkdir(String childName) {
        boolean locked = fs.writeLock();
        try {
            int i = checkFree(childName);
            KernfsDir d = new KernfsDir(fs, this, childName);
            putKid(i, d);
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
            KernfsNode n = kid(childName);
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
            putKid(i, l);
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
            Object[] b = bound;
            Object[] n = new Object[b.length + B];
            System.arraycopy(b, 0, n, 0, b.length);
            n[b.length] = group;
            n[b.length + 1] = owner;
            n[b.length + 2] = bindings++;
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
                KernfsNode n = kid(group.name());
                if (n instanceof KernfsDir d && d.namedGroupSource == group) {
                    removeChild(group.name());
                }
                return;
            }
            Object[] b = bound;
            int keep = 0;
            for (int i = 0; i < b.length; i += B) {
                if (b[i] != group) {
                    keep += B;
                }
            }
            if (keep == b.length) {
                return;
            }
            Object[] n = keep == 0 ? NOT_BOUND : new Object[keep];
            int j = 0;
            for (int i = 0; i < b.length; i += B) {
                if (b[i] != group) {
                    System.arraycopy(b, i, n, j, B);
                    j += B;
                }
            }
            bound = n;
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
        Object[] b = bound;
        for (int i = 0; i < b.length; i += B) {
            if (b[i] == group) {
                return true;
            }
        }
        return false;
    }

    /** Removes the named child (recursively); returns false if there was none. */
    public boolean removeChild(String childName) {
        boolean locked = fs.writeLock();
        try {
            int i = find(childName);
            if (i < 0) {
                return false;
            }
            KernfsNode n = kids[i];
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
            dropKid(i);
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
            if (parent != null && parent.kid(name) == this) {
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
        for (int i = 0; i < nkids; i++) {
            KernfsNode c = kids[i];
            if (c instanceof KernfsDir d) {
                if (d.active) {
                    d.deactivate();
                }
            } else if (c instanceof KernfsLink l) {
                l.active = false;
            }
        }
        kids = NO_CHILDREN;
        nkids = 0;
        ntomb = 0;
        hint = 0;
        subdirs = 0;
        bound = NOT_BOUND;
    }

    /**
     * Refuses a bad or taken name (a model bug); returns what {@link #find} says about the
     * name (no active child has it).
     */
    private int checkFree(String childName) {
        int i = checkName(childName);
        if ((i >= 0 && isActive(kids[i])) || findAttr(childName) != null) {
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
        return find(childName);
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
        Object[] b = bound;
        for (int i = 0; i < b.length && !slow; i += B) {
            slow = !((AttributeGroup<?>) b[i]).disjointFrom(group);
        }
        for (int i = 0; i < nkids && !slow; i++) {
            KernfsNode k = kids[i];
            slow = isActive(k) && group.get(k.name) != null;
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
            KernfsNode n = kid(childName);
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
        int i = find(path, from, to);
        if (i >= 0) {
            KernfsNode n = kids[i];
            if (isActive(n)) {
                return n;
            }
        }
        if (bound.length == 0) {
            return null;
        }
        return attrNode(from == 0 && to == path.length() ? path : path.substring(from, to));
    }

    private KernfsAttr attrNode(String attrName) {
        Object[] b = bound;
        for (int i = 0; i < b.length; i += B) {
            Attribute<?> a = ((AttributeGroup<?>) b[i]).get(attrName);
            if (a != null) {
                return new KernfsAttr(this, (AttributeGroup<?>) b[i], b[i + 1], (Integer) b[i + 2], a);
            }
        }
        return null;
    }

    private Attribute<?> findAttr(String attrName) {
        Object[] b = bound;
        for (int i = 0; i < b.length; i += B) {
            Attribute<?> a = ((AttributeGroup<?>) b[i]).get(attrName);
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
            Object[] b = bound;
            List<String> out = new ArrayList<>(nkids - ntomb + 8 * (b.length / B));
            for (int i = 0; i < b.length; i += B) {
                for (Attribute<?> a : ((AttributeGroup<?>) b[i]).attributes()) {
                    out.add(a.name());
                }
            }
            for (int i = 0; i < nkids; i++) {
                KernfsNode n = kids[i];
                if (isActive(n)) {
                    out.add(n.name);
                }
            }
            return out;
        } finally {
            fs.readUnlock(readLocked);
        }
    }

    /** Number of entries (attributes, directories, links). */
    public int size() {
        boolean readLocked = fs.readLock();
        try {
            int n = nkids - ntomb;
            Object[] b = bound;
            for (int i = 0; i < b.length; i += B) {
                n += ((AttributeGroup<?>) b[i]).attributes().size();
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

    /** True while the binding {@code seq} of {@code group} to {@code owner} is in place. */
    boolean bound(AttributeGroup<?> group, Object owner, Integer seq) {
        if (!active) {
            return false;
        }
        Object[] b = bound;
        for (int i = 0; i < b.length; i += B) {
            if (b[i] == group && b[i + 1] == owner && b[i + 2] == seq) {
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
