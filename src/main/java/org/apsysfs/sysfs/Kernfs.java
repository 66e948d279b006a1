package org.apsysfs.sysfs;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.locking.KRwSem;
import org.apsysfs.locking.LockRank;

/**
 * The simulated sysfs: a tree of {@link KernfsNode}s and the file operations sysfs gives them
 * (open rules, per-open snapshots, one store per write, and the errno that kernfs returns for
 * everything it does not support). Knows nothing about FUSE.
 */
public final class Kernfs {
    /**
     * {@code kernfs_rwsem}: guards the shape of the tree. Always the innermost lock
     * ({@link LockRank#KERNFS_RWSEM}, known to the lock validator): taken inside model locks,
     * never held while calling show/store or anything that takes another lock.
     */
    final KRwSem lock = new KRwSem(LockRank.KERNFS_RWSEM.cls(), "kernfs_rwsem");
    final Clock clock;
    private final KernelLog log;
    private final KernfsDir root;
    private volatile StoreHook storeHook;
    /** Set once this tree no longer serves (the system it shows was replaced). */
    private volatile boolean retired;

    /**
     * Wraps every store (attribute or control file) of this tree: the saved-state machinery
     * runs stores under its lock and saves what they changed before the write returns.
     */
    @FunctionalInterface
    public interface StoreHook {
        /**
         * Runs {@code store} exactly once; may fail the write afterwards (the hook is then
         * responsible for having undone the change).
         */
        void around(Kernfs fs, KernfsAttr attr, Runnable store);
    }

    /** How long recent stores took (kernel/debug/apsysfs/store_times). */
    private final StoreTimes storeTimes = new StoreTimes();

    /** Served FUSE mounts of this process: device ("MAJOR:MINOR") to the tree it serves. */
    private static final java.util.Map<String, java.util.function.Supplier<Kernfs>> MOUNTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Records that this process serves {@code tree} on the mount of device {@code dev}. */
    public static void servedOn(String dev, java.util.function.Supplier<Kernfs> tree) {
        MOUNTS.put(dev, tree);
    }

    /** The mount of device {@code dev} is gone. */
    public static void notServedOn(String dev) {
        MOUNTS.remove(dev);
    }

    /** The devices of the mounts that serve this tree now. */
    public java.util.Set<String> servedDevices() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        MOUNTS.forEach((dev, t) -> {
            if (t.get() == this) {
                out.add(dev);
            }
        });
        return out;
    }

    public Kernfs(Clock clock, KernelLog log) {
        this.clock = clock;
        this.log = log;
        this.root = new KernfsDir(this, null, "");
        root.markPermanent();
    }

    public KernfsDir root() {
        return root;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Runs {@code change} with the tree locked for writing, so that readers see all of it or
     * nothing (used where several directories and links must appear together).
     */
    public void batch(Runnable change) {
        boolean locked = writeLock();
        try {
            change.run();
        } finally {
            writeUnlock(locked);
        }
    }

    /**
     * Takes the tree lock for writing unless this thread holds it already (a batch of changes);
     * returns whether it took it, for {@link #writeUnlock}.
     */
    boolean writeLock() {
        return lock.writeUnlessHeld();
    }

    void writeUnlock(boolean taken) {
        lock.writeUnlock(taken);
    }

    /**
     * Takes the tree lock for reading unless this thread holds it for writing (a batch that
     * looks something up); returns whether it took it, for {@link #readUnlock}.
     */
    boolean readLock() {
        return lock.readUnlessWriter();
    }

    void readUnlock(boolean taken) {
        lock.readUnlock(taken);
    }

    /** Resolves an absolute path ("/bus/ap/apmask") without following links; null if absent. */
    public KernfsNode lookup(String path) {
        KernfsNode n = root;
        int i = 0;
        int len = path.length();
        boolean locked = readLock();
        try {
            while (i < len) {
                while (i < len && path.charAt(i) == '/') {
                    i++;
                }
                if (i >= len) {
                    break;
                }
                int j = path.indexOf('/', i);
                if (j < 0) {
                    j = len;
                }
                if (!(n instanceof KernfsDir d)) {
                    return null;
                }
                n = d.childAt(path, i, j);
                if (n == null) {
                    return null;
                }
                i = j;
            }
            return n;
        } finally {
            readUnlock(locked);
        }
    }

    /**
     * Opens an attribute as the VFS and kernfs_fop_open do: a caller other than root needs the
     * owner, group or other bits of the node's mode that apply to it (generic_permission, with
     * the mode and owner a chmod/chown set: kernfs_iop_setattr keeps them, and udev rules rely
     * on it); a read-only attribute cannot be opened for writing nor a write-only one for
     * reading (EACCES, even for root). The FUSE context gives no supplementary groups: only
     * the caller's primary group counts for the group bits.
     *
     * @param accmode O_RDONLY (0), O_WRONLY (1) or O_RDWR (2)
     */
    public KernfsOpenFile open(KernfsNode node, int accmode, Cred cred) {
        if (node instanceof KernfsDir) {
            throw KernelException.bare(Errno.EISDIR);
        }
        if (!(node instanceof KernfsAttr attr)) {
            throw KernelException.bare(Errno.ENOENT);
        }
        boolean wantRead = accmode == 0 || accmode == 2;
        boolean wantWrite = accmode == 1 || accmode == 2;
        int mode = attr.mode();
        if (!cred.isRoot()) {
            int bits = permBits(attr, mode, cred);
            if ((wantRead && (bits & 4) == 0) || (wantWrite && (bits & 2) == 0)) {
                throw KernelException.bare(Errno.EACCES);
            }
        }
        if (wantWrite && ((mode & 0222) == 0 || !attr.attribute().writable())) {
            throw KernelException.bare(Errno.EACCES);
        }
        if (wantRead && ((mode & 0444) == 0 || !attr.attribute().readable())) {
            throw KernelException.bare(Errno.EACCES);
        }
        if (!attr.active() || retired) {
            throw KernelException.bare(Errno.ENODEV);
        }
        return new KernfsOpenFile(this, attr, wantRead, wantWrite);
    }

    /**
     * The permission check of {@code access(2)} as the VFS makes it on sysfs
     * (generic_permission): root may read and write anything and execute what has an x bit.
     *
     * @param mask R_OK 4, W_OK 2, X_OK 1, F_OK 0
     */
    public void access(KernfsNode node, int mask, Cred cred) {
        int mode = node.mode();
        if (node instanceof KernfsLink) {
            return;
        }
        if (cred.isRoot()) {
            if ((mask & 1) != 0 && !(node instanceof KernfsDir) && (mode & 0111) == 0) {
                throw KernelException.bare(Errno.EACCES);
            }
            return;
        }
        int bits = permBits(node, mode, cred);
        if ((mask & bits & 7) != (mask & 7)) {
            throw KernelException.bare(Errno.EACCES);
        }
    }

    /** The owner, group or other bits of {@code mode} that apply to {@code cred}. */
    private static int permBits(KernfsNode node, int mode, Cred cred) {
        NodeMeta m = node.metaIfAny();
        int uid = m == null ? 0 : m.uid;
        int gid = m == null ? 0 : m.gid;
        return cred.uid() == uid ? (mode >> 6) : cred.gid() == gid ? (mode >> 3) : mode;
    }

    /** chmod: kernfs keeps the new permission bits (root only). */
    public void chmod(KernfsNode node, int mode, Cred cred) {
        NodeMeta m = metaForUpdate(node, cred);
        m.mode = mode & 07777;
        m.ctimeMillis = clock.wallMillis();
    }

    /** chown: kernfs keeps the new owner (root only); -1 leaves a field unchanged. */
    public void chown(KernfsNode node, long uid, long gid, Cred cred) {
        NodeMeta m = metaForUpdate(node, cred);
        if (uid != -1 && uid != 0xffffffffL) {
            m.uid = (int) uid;
        }
        if (gid != -1 && gid != 0xffffffffL) {
            m.gid = (int) gid;
        }
        m.ctimeMillis = clock.wallMillis();
    }

    /** utimens: kernfs keeps the times; a negative value means "now". */
    public void utimens(KernfsNode node, long atimeMillis, long mtimeMillis, Cred cred) {
        NodeMeta m = metaForUpdate(node, cred);
        long now = clock.wallMillis();
        m.atimeMillis = atimeMillis < 0 ? now : atimeMillis;
        m.mtimeMillis = mtimeMillis < 0 ? now : mtimeMillis;
        m.ctimeMillis = now;
    }

    /*
     * Extended attributes, as sysfs has them (kernfs_xattr_handlers, no LSM): the trusted.*
     * and security.* namespaces keep what root sets, per node, in memory; user.* reads as
     * absent (ENODATA) but cannot be set on sysfs (only cgroupfs enables user xattrs);
     * system.* (POSIX ACLs) and unknown namespaces are not supported (EOPNOTSUPP). The VFS
     * checks that a caller may set trusted.* or security.* (CAP_SYS_ADMIN) before a file
     * system sees the call; the root check here stands in for it.
     */

    /** XATTR_CREATE: fail with EEXIST if the attribute exists. */
    public static final int XATTR_CREATE = 1;
    /** XATTR_REPLACE: fail with ENODATA if the attribute does not exist. */
    public static final int XATTR_REPLACE = 2;
    /** All xattr values in the tree together; beyond it setxattr fails with ENOMEM. */
    static final long XATTR_BYTES_MAX = 16L << 20;

    private final java.util.concurrent.atomic.AtomicLong xattrBytes = new java.util.concurrent.atomic.AtomicLong();

    /** The namespace of {@code name} kernfs has a handler for that keeps values (trusted., security.). */
    private static boolean storedNamespace(String name) {
        return name.startsWith("trusted.") || name.startsWith("security.");
    }

    /** EOPNOTSUPP unless {@code name} is in a namespace sysfs has a handler for. */
    private static void checkNamespace(String name) {
        if (!storedNamespace(name) && !name.startsWith("user.")) {
            throw KernelException.bare(Errno.EOPNOTSUPP);
        }
    }

    /**
     * getxattr: the value of {@code name}.
     *
     * @throws KernelException ENODATA if it is not set (any user.* name),
     *         EOPNOTSUPP for system.* and unknown namespaces
     */
    public byte[] getxattr(KernfsNode node, String name) {
        checkNamespace(name);
        NodeMeta m = node.metaIfAny();
        if (m != null) {
            synchronized (m) {
                byte[] v = m.xattrs == null ? null : m.xattrs.get(name);
                if (v != null) {
                    return v.clone();
                }
            }
        }
        throw KernelException.bare(Errno.ENODATA);
    }

    /**
     * setxattr: keeps {@code value} under a trusted.* or security.* {@code name}.
     *
     * @throws KernelException EPERM for a caller other than root, EOPNOTSUPP for user.*,
     *         system.* and unknown namespaces, EEXIST (XATTR_CREATE) if it is set, ENODATA
     *         (XATTR_REPLACE) if it is not, ENOMEM if the tree's xattrs would exceed 16 MiB
     */
    public void setxattr(KernfsNode node, String name, byte[] value, int flags, Cred cred) {
        if (!storedNamespace(name)) {
            throw KernelException.bare(Errno.EOPNOTSUPP); // user.*, system.* and unknown ones alike
        }
        NodeMeta m = metaForUpdate(node, cred);
        synchronized (m) {
            byte[] old = m.xattrs == null ? null : m.xattrs.get(name);
            if (old != null && (flags & XATTR_CREATE) != 0) {
                throw KernelException.bare(Errno.EEXIST);
            }
            if (old == null && (flags & XATTR_REPLACE) != 0) {
                throw KernelException.bare(Errno.ENODATA);
            }
            long delta = value.length + name.length() - (old == null ? 0 : old.length + name.length());
            if (xattrBytes.addAndGet(delta) > XATTR_BYTES_MAX && delta > 0) {
                xattrBytes.addAndGet(-delta);
                throw KernelException.bare(Errno.ENOMEM);
            }
            if (m.xattrs == null) {
                m.xattrs = new java.util.TreeMap<>();
            }
            m.xattrs.put(name, value.clone());
            m.ctimeMillis = clock.wallMillis();
        }
    }

    /**
     * removexattr.
     *
     * @throws KernelException EPERM for a caller other than root, EOPNOTSUPP outside
     *         trusted.* and security.*, ENODATA if the attribute is not set
     */
    public void removexattr(KernfsNode node, String name, Cred cred) {
        if (!storedNamespace(name)) {
            throw KernelException.bare(Errno.EOPNOTSUPP); // user.*, system.* and unknown ones alike
        }
        if (!cred.isRoot()) {
            throw KernelException.bare(Errno.EPERM);
        }
        NodeMeta m = node.metaIfAny();
        if (m != null) {
            synchronized (m) {
                byte[] old = m.xattrs == null ? null : m.xattrs.remove(name);
                if (old != null) {
                    xattrBytes.addAndGet(-(old.length + name.length()));
                    m.ctimeMillis = clock.wallMillis();
                    return;
                }
            }
        }
        throw KernelException.bare(Errno.ENODATA);
    }

    /** listxattr: the names set on {@code node}, sorted; trusted.* only for root (CAP_SYS_ADMIN). */
    public List<String> listxattr(KernfsNode node, Cred cred) {
        NodeMeta m = node.metaIfAny();
        if (m == null) {
            return List.of();
        }
        synchronized (m) {
            if (m.xattrs == null) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (String n : m.xattrs.keySet()) {
                if (cred.isRoot() || !n.startsWith("trusted.")) {
                    names.add(n);
                }
            }
            return names;
        }
    }

    private NodeMeta metaForUpdate(KernfsNode node, Cred cred) {
        if (!cred.isRoot()) {
            throw KernelException.bare(Errno.EPERM);
        }
        if (node instanceof KernfsAttr a) {
            return a.metaForUpdate();
        }
        return node.meta();
    }

    public void setStoreHook(StoreHook hook) {
        this.storeHook = hook;
    }

    /**
     * Takes this tree out of service: every open file and every new open fails with ENODEV from
     * now on, as kernfs does for removed nodes (used when the whole system is replaced).
     */
    public void retire() {
        retired = true;
    }

    public boolean retired() {
        return retired;
    }

    void checkLive() {
        if (retired) {
            throw KernelException.bare(Errno.ENODEV);
        }
    }

    /** Calls a store; a refusal is logged as one kernel-style line saying why. */
    void store(KernfsAttr attr, String buf) {
        runStore(attr, () -> attr.store(buf));
    }

    /** Offers a collected document to a document store; true once it was complete and applied. */
    boolean storeDocument(KernfsAttr attr, CharSequence text) {
        boolean[] done = new boolean[1];
        runStore(attr, () -> done[0] = attr.storeDocument(text));
        return done[0];
    }

    /**
     * Runs a store (through the store hook, if any); a refusal is logged as one kernel-style
     * line saying why. The time it took, hook and log line included, goes to
     * {@link #storeTimes()}.
     */
    private void runStore(KernfsAttr attr, Runnable store) {
        long t0 = System.nanoTime();
        // what the FUSE edge makes of an exception that is no KernelException
        Errno result = Errno.EIO;
        try {
            checkLive();
            StoreHook h = storeHook;
            if (h == null) {
                store.run();
            } else {
                h.around(this, attr, store);
            }
            result = null;
        } catch (KernelException e) {
            result = e.errno();
            if (e.logLine() != null) {
                log.info(e.logLine());
            } else {
                log.info("sysfs: write to %s failed: %s", attr.path(), e.errno().name());
            }
            throw e;
        } finally {
            storeTimes.record(attr, System.nanoTime() - t0, result);
        }
    }

    /** The durations of the most recent stores (server-side). */
    public StoreTimes storeTimes() {
        return storeTimes;
    }

    /** The kernel log this tree reports refused stores to. */
    public KernelLog log() {
        return log;
    }
}
