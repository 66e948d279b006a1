package org.apsysfs.sysfs;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.KernelLog;

/**
 * The simulated sysfs: a tree of {@link KernfsNode}s and the file operations sysfs gives them
 * (open rules, per-open snapshots, one store per write, and the errno that kernfs returns for
 * everything it does not support). Knows nothing about FUSE.
 */
public final class Kernfs {
    /**
     * {@code kernfs_rwsem}: guards the shape of the tree. Always the innermost lock: taken
     * inside model locks, never held while calling show/store.
     */
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
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

    public Kernfs(Clock clock, KernelLog log) {
        this.clock = clock;
        this.log = log;
        this.root = new KernfsDir(this, null, "");
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
        if (lock.isWriteLockedByCurrentThread()) {
            return false;
        }
        lock.writeLock().lock();
        return true;
    }

    void writeUnlock(boolean taken) {
        if (taken) {
            lock.writeLock().unlock();
        }
    }

    /** Resolves an absolute path ("/bus/ap/apmask") without following links; null if absent. */
    public KernfsNode lookup(String path) {
        KernfsNode n = root;
        int i = 0;
        int len = path.length();
        lock.readLock().lock();
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
            lock.readLock().unlock();
        }
    }

    /**
     * Opens an attribute as kernfs_fop_open does: a read-only attribute cannot be opened for
     * writing nor a write-only one for reading (EACCES, even for root); non-root callers may
     * only read world-readable attributes and never write.
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
            if ((wantRead && (bits & 4) == 0) || wantWrite) {
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
