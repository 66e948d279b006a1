package org.apsysfs.sysfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory: the sysfs directory of a kernel object (or a plain grouping directory such as
 * {@code /sys/bus}). It holds subdirectories and links as real nodes, and attributes as bound
 * {@link AttributeGroup} tables that are looked up on demand.
 *
 * <p>All structure is guarded by the tree's {@code kernfs_rwsem} ({@link Kernfs#lock}); every
 * mutator here takes it for writing, so a caller may hold model locks while calling them
 * (the kernfs lock is always the innermost lock and is never held while calling out).
 */
public final class KernfsDir extends KernfsNode {
    /** One attribute table bound to the object that owns the directory. */
    record BoundGroup<T>(AttributeGroup<T> group, T owner) {
    }

    final Kernfs fs;
    private final KernfsDir parent;
    private final NodeMeta meta;
    /** Guarded by fs.lock. */
    private final TreeMap<String, KernfsNode> children = new TreeMap<>();
    /** Copy-on-write list, replaced under fs.lock (write). */
    private volatile List<BoundGroup<?>> groups = List.of();
    /** Metadata of attributes that were chmod/chown/utimens'ed; guarded by fs.lock. */
    private Map<String, NodeMeta> attrMeta;
    /** Guarded by fs.lock. */
    private int subdirs;
    volatile boolean active = true;

    KernfsDir(Kernfs fs, KernfsDir parent, String name) {
        super(name);
        this.fs = fs;
        this.parent = parent;
        this.meta = new NodeMeta(0755, fs.clock.wallMillis());
    }

    @Override
    public KernfsDir parent() {
        return parent;
    }

    @Override
    public int mode() {
        return meta.mode;
    }

    @Override
    public NodeMeta meta() {
        return meta;
    }

    @Override
    public boolean active() {
        return active;
    }

    public Kernfs kernfs() {
        return fs;
    }

    // ------------------------------------------------------------------ mutators

    /** Creates a subdirectory ({@code kernfs_create_dir}); a duplicate name is a model bug. */
    public KernfsDir mkdir(String childName) {
        fs.lock.writeLock().lock();
        try {
            checkFree(childName);
            KernfsDir d = new KernfsDir(fs, this, childName);
            children.put(childName, d);
            subdirs++;
            return d;
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** Returns the existing subdirectory, or creates it. */
    public KernfsDir dir(String childName) {
        fs.lock.writeLock().lock();
        try {
            KernfsNode n = children.get(childName);
            if (n instanceof KernfsDir d) {
                return d;
            }
            return mkdir(childName);
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** Creates a symbolic link to {@code target} ({@code sysfs_create_link}). */
    public KernfsLink symlink(String linkName, KernfsNode target) {
        fs.lock.writeLock().lock();
        try {
            checkFree(linkName);
            KernfsLink l = new KernfsLink(this, linkName, target, fs.clock.wallMillis());
            children.put(linkName, l);
            return l;
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** Binds an attribute table to {@code owner} ({@code sysfs_create_group}). */
    public <T> void addGroup(AttributeGroup<T> group, T owner) {
        fs.lock.writeLock().lock();
        try {
            if (group.name() != null) {
                KernfsDir sub = mkdir(group.name());
                sub.addGroup(group.contents(), owner);
                sub.namedGroupSource = group;
                return;
            }
            for (Attribute<T> a : group.attributes()) {
                checkFree(a.name());
            }
            List<BoundGroup<?>> n = new ArrayList<>(groups);
            n.add(new BoundGroup<>(group, owner));
            groups = List.copyOf(n);
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** The named group this directory was made for, if any. */
    private AttributeGroup<?> namedGroupSource;

    /** Unbinds an attribute table ({@code sysfs_remove_group}); absent tables are ignored. */
    public void removeGroup(AttributeGroup<?> group) {
        fs.lock.writeLock().lock();
        try {
            if (group.name() != null) {
                KernfsNode n = children.get(group.name());
                if (n instanceof KernfsDir d && d.namedGroupSource == group) {
                    removeChild(group.name());
                }
                return;
            }
            List<BoundGroup<?>> n = new ArrayList<>(groups);
            n.removeIf(b -> b.group() == group);
            groups = List.copyOf(n);
            if (attrMeta != null) {
                for (Attribute<?> a : group.attributes()) {
                    attrMeta.remove(a.name());
                }
            }
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** True while {@code group} is bound here. */
    public boolean hasGroup(AttributeGroup<?> group) {
        if (group.name() != null) {
            KernfsNode n = child(group.name());
            return n instanceof KernfsDir d && d.namedGroupSource == group;
        }
        for (BoundGroup<?> b : groups) {
            if (b.group() == group) {
                return true;
            }
        }
        return false;
    }

    /** Removes the named child (recursively); returns false if there was none. */
    public boolean removeChild(String childName) {
        fs.lock.writeLock().lock();
        try {
            KernfsNode n = children.remove(childName);
            if (n == null) {
                return false;
            }
            if (n instanceof KernfsDir d) {
                subdirs--;
                d.deactivate();
            } else if (n instanceof KernfsLink l) {
                l.active = false;
            }
            return true;
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    /** Removes this directory and everything below it ({@code kernfs_remove}). */
    public void remove() {
        fs.lock.writeLock().lock();
        try {
            if (parent != null && parent.children.get(name) == this) {
                parent.removeChild(name);
            } else {
                deactivate();
            }
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    private void deactivate() {
        active = false;
        for (KernfsNode c : children.values()) {
            if (c instanceof KernfsDir d) {
                d.deactivate();
            } else if (c instanceof KernfsLink l) {
                l.active = false;
            }
        }
        children.clear();
        subdirs = 0;
        groups = List.of();
    }

    private void checkFree(String childName) {
        if (childName.isEmpty() || childName.indexOf('/') >= 0 || childName.equals(".") || childName.equals("..")) {
            throw new IllegalArgumentException("bad sysfs name '" + childName + "'");
        }
        if (!active) {
            throw new IllegalStateException("sysfs: cannot create " + path() + "/" + childName + ": directory removed");
        }
        if (children.containsKey(childName) || findAttr(childName) != null) {
            throw new IllegalStateException("sysfs: cannot create duplicate filename '" + path() + "/" + childName + "'");
        }
    }

    // ------------------------------------------------------------------ queries

    /** The child called {@code childName}: a directory, link or attribute; null if none. */
    public KernfsNode child(String childName) {
        fs.lock.readLock().lock();
        try {
            KernfsNode n = children.get(childName);
            if (n != null) {
                return n;
            }
            return findAttr(childName);
        } finally {
            fs.lock.readLock().unlock();
        }
    }

    private KernfsAttr findAttr(String attrName) {
        for (BoundGroup<?> b : groups) {
            Attribute<?> a = b.group().get(attrName);
            if (a != null) {
                return new KernfsAttr(this, b, a);
            }
        }
        return null;
    }

    /** The names of all entries, attributes first in table order, then subdirectories and links. */
    public List<String> list() {
        fs.lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>(children.size() + 16);
            for (BoundGroup<?> b : groups) {
                for (Attribute<?> a : b.group().attributes()) {
                    out.add(a.name());
                }
            }
            out.addAll(children.keySet());
            return out;
        } finally {
            fs.lock.readLock().unlock();
        }
    }

    /** Number of entries (attributes, directories, links). */
    public int size() {
        fs.lock.readLock().lock();
        try {
            int n = children.size();
            for (BoundGroup<?> b : groups) {
                n += b.group().attributes().size();
            }
            return n;
        } finally {
            fs.lock.readLock().unlock();
        }
    }

    /** Number of subdirectories (for st_nlink = 2 + subdirs, as kernfs reports). */
    public int subdirCount() {
        fs.lock.readLock().lock();
        try {
            return subdirs;
        } finally {
            fs.lock.readLock().unlock();
        }
    }

    boolean bound(BoundGroup<?> b) {
        if (!active) {
            return false;
        }
        for (BoundGroup<?> g : groups) {
            if (g == b) {
                return true;
            }
        }
        return false;
    }

    NodeMeta attrMeta(String attrName, int defaultMode, boolean create) {
        fs.lock.readLock().lock();
        try {
            NodeMeta m = attrMeta == null ? null : attrMeta.get(attrName);
            if (m != null || !create) {
                return m;
            }
        } finally {
            fs.lock.readLock().unlock();
        }
        fs.lock.writeLock().lock();
        try {
            if (attrMeta == null) {
                attrMeta = new HashMap<>();
            }
            return attrMeta.computeIfAbsent(attrName, k -> {
                NodeMeta m = new NodeMeta(defaultMode, meta.ctimeMillis);
                return m;
            });
        } finally {
            fs.lock.writeLock().unlock();
        }
    }
}
