package org.apsysfs.fuse;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;
import org.apsysfs.sysfs.KernfsChange;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the kernel may cache of the tree, and telling it when that changes: the FUSE
 * counterpart of kernfs' dentry and inode operations ({@code kernfs_dop_revalidate},
 * {@code kernfs_refresh_inode} in {@code fs/kernfs/}), which keep the kernel's dcache and
 * inode attributes right for sysfs without asking anyone.
 *
 * <p><b>{@link Mode#CACHE}</b> (multi-threaded mounts): every successful LOOKUP reply (a found
 * node and, with the mount's {@code negative_timeout}, a name that is not there) and every
 * GETATTR reply tells the kernel to keep the entry and the attributes for {@link #VALID_SECONDS},
 * and this class, as the {@link KernfsWatcher} of the tree served, invalidates them
 * ({@code fuse_lowlevel_notify_inval_entry}, {@code fuse_lowlevel_notify_inval_inode}) whenever
 * kernfs adds, removes or re-creates a name, or a node's mode, owner, times or link count
 * changes. A LOOKUP finds its node's FUSE node id in the reply and records it in the node
 * ({@link KernfsNode#setInodeId}), so that a later change knows which inode or parent to name.
 *
 * <p>Ordering, so that the kernel never keeps what a change made stale:
 * <ul>
 * <li>Changes made by a request's callback (a store) are sent before that request's reply:
 *     when {@code write(2)} returns, the kernel has forgotten what the store changed. Changes
 *     made on other threads (the bus scan, a test) are sent by the changing thread as soon as
 *     it releases the tree lock.</li>
 * <li>A reply is cached only if no change was sent while its request ran: each batch of
 *     invalidations first bumps a generation (under the write side of {@link #sendLock}); a
 *     LOOKUP or GETATTR reply is patched and written under the read side, with long validity
 *     only if the generation is still the one read when the request arrived. So a reply that
 *     may have seen the tree before a change is either in the kernel before that change's
 *     invalidation is sent, or not cached at all.</li>
 * <li>Invalidations are never sent with the tree lock held (the watcher is called after it is
 *     released), and never by a LOOKUP: the kernel takes the parent directory's lock to
 *     invalidate an entry, which a LOOKUP's caller holds while waiting for the reply. The
 *     entry of a directory whose own attributes changed is invalidated through its parent
 *     (its attributes show its ctime), because chmod/utimens hold the directory's lock.</li>
 * </ul>
 *
 * <p><b>{@link Mode#PERMANENT}</b> (single-threaded mounts, or {@code -Dapsysfs.fuse.cache=false}):
 * a notification sent while the only thread serves a request can wait for a lookup only that
 * thread could answer, so nothing is invalidated; only LOOKUP replies for
 * {@linkplain KernfsDir#permanent() permanent} directories are kept ({@link #VALID_SECONDS}),
 * everything else keeps the mount's {@code entry_timeout=0,attr_timeout=0}.
 *
 * <p>How: libfuse 2's high-level API takes one timeout for all entries and has no
 * invalidation, so this class puts itself in the channel's {@code send} slot
 * ({@code struct fuse_chan_ops}) and patches the {@code struct fuse_entry_out} /
 * {@code struct fuse_attr_out} of a reply before handing it to libfuse's own send; the
 * notifications are libfuse's low-level {@code fuse_lowlevel_notify_inval_*} on the same
 * channel. Requests are processed and answered on the thread that received them
 * ({@link FuseLoop}), so a per-thread {@link Request} carries the opcode and generation (set
 * by the loop) and what the lookup found (set by the getattr callback) to the send on the
 * same thread. If the channel does not look as expected (a libfuse other than 2.9's layout),
 * nothing is installed and nothing is cached.
 */
final class KernelCache implements KernfsWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);
    private static final MemoryIO IO = MemoryIO.getInstance();
    /** {@code FUSE_LOOKUP}, {@code FUSE_GETATTR} in {@code enum fuse_opcode}. */
    static final int FUSE_LOOKUP = 1;
    static final int FUSE_GETATTR = 3;
    /** {@code FUSE_ROOT_ID}. */
    static final long ROOT_ID = 1;
    /** How long the kernel may keep an entry or attributes nothing has invalidated. */
    static final long VALID_SECONDS = 24 * 3600;
    /**
     * A batch with more entry changes than this in one directory invalidates the directory's
     * own entry instead (all its children go with it): one notification instead of thousands.
     */
    static final int DIR_BATCH = 32;
    /** {@code offsetof(struct fuse_chan, op.send)}, {@code .se}, {@code .fd}, {@code .bufsize} in libfuse 2.9. */
    private static final long CH_SEND = 8;
    private static final long CH_SESSION = 24;
    private static final long CH_FD = 32;
    private static final long CH_BUFSIZE = 40;
    /** {@code struct iovec}: base, len. */
    private static final long IOV_SIZE = 16;
    /** {@code struct fuse_out_header}: len u32, error s32, unique u64. */
    private static final long OUT_ERROR = 4;
    private static final long OUT_UNIQUE = 8;
    /** {@code struct fuse_entry_out}: nodeid u64 @0, generation, entry_valid u64 @16, attr_valid u64 @24, entry_valid_nsec u32 @32, attr_valid_nsec u32 @36. */
    private static final long ENTRY_NODEID = 0;
    private static final long ENTRY_VALID = 16;
    private static final long ENTRY_ATTR_VALID = 24;
    private static final long ENTRY_VALID_NSEC = 32;
    private static final long ENTRY_ATTR_VALID_NSEC = 36;
    private static final long ENTRY_OUT_MIN = 40;
    /** {@code struct fuse_attr_out}: attr_valid u64 @0, attr_valid_nsec u32 @8. */
    private static final long ATTR_VALID = 0;
    private static final long ATTR_VALID_NSEC = 8;
    private static final long ATTR_OUT_MIN = 16;
    private static final ThreadLocal<Request> CURRENT = ThreadLocal.withInitial(Request::new);
    private static final CallContext SEND_CONTEXT = CallContext.getCallContext(Type.SINT32,
            new Type[] {Type.POINTER, Type.POINTER, Type.UINT64}, CallingConvention.DEFAULT, false);

    /** What the kernel may keep. */
    enum Mode {
        /** Everything, invalidated on every change. */
        CACHE,
        /** Only the entries of permanent directories; no invalidation. */
        PERMANENT
    }

    /** The request a thread is processing. */
    static final class Request {
        /** Opcode of the request being processed; 0 when none. */
        int opcode;
        /** The generation when the request arrived. */
        long generation;
        /** What the last lookup on this thread found (null: nothing). */
        KernfsNode found;
        /** Changes this request's callback made, sent before its reply. */
        List<KernfsChange> deferred;
        /** The cache of the loop this thread serves. */
        KernelCache cache;
    }

    /** {@code int (*send)(struct fuse_chan *ch, const struct iovec iov[], size_t count)} */
    public interface Send {
        @jnr.ffi.annotations.Delegate
        int send(long ch, long iov, long count);
    }

    private final Mode mode;
    private final LibFuseSession lib;
    private final Pointer channel;
    private final long originalSend;
    private final Supplier<Kernfs> source;
    /** The tree this cache watches. */
    private volatile Kernfs watched;
    /** Kept reachable: the closure and its native stub live as long as the channel. */
    @SuppressWarnings("unused")
    private final Object[] keep;
    private final ReentrantReadWriteLock sendLock = new ReentrantReadWriteLock();
    /** Bumped (under sendLock's write side) before each batch of invalidations. */
    private volatile long generation;
    private final LongAdder cachedReplies = new LongAdder();
    private final LongAdder uncachedReplies = new LongAdder();
    private final LongAdder entryNotes = new LongAdder();
    private final LongAdder inodeNotes = new LongAdder();

    private KernelCache(Mode mode, LibFuseSession lib, Pointer channel, long originalSend, Object[] keep,
            Supplier<Kernfs> source) {
        this.mode = mode;
        this.lib = lib;
        this.channel = channel;
        this.originalSend = originalSend;
        this.keep = keep;
        this.source = source;
    }

    /** The calling thread's request record (a loop thread keeps it for its life). */
    static Request request() {
        return CURRENT.get();
    }

    /** Called by the getattr callback (a LOOKUP is a getattr of the path): what was found. */
    static void lookedUp(KernfsNode n) {
        CURRENT.get().found = n;
    }

    /**
     * Installs the send hook in {@code channel} if it has libfuse 2.9's layout and, in
     * {@link Mode#CACHE}, watches the tree {@code source} serves.
     *
     * @return the hook, or null if the channel did not look right (nothing changed)
     */
    static KernelCache install(Mode mode, LibFuseSession lib, Runtime runtime, Pointer channel, Pointer session,
            int fd, long bufsize, Supplier<Kernfs> source) {
        if (!RawLayout.OK || channel == null) {
            return null;
        }
        long ch = channel.address();
        if (IO.getAddress(ch + CH_SESSION) != session.address() || IO.getInt(ch + CH_FD) != fd
                || IO.getLong(ch + CH_BUFSIZE) != bufsize || IO.getAddress(ch + CH_SEND) == 0) {
            LOG.warn("apsysfs: unexpected struct fuse_chan layout; the kernel caches nothing");
            return null;
        }
        long original = IO.getAddress(ch + CH_SEND);
        Object[] keep = new Object[2];
        KernelCache c = new KernelCache(mode, lib, channel, original, keep, source);
        Send hook = c::send;
        Pointer stub = runtime.getClosureManager().getClosurePointer(Send.class, hook);
        keep[0] = hook;
        keep[1] = stub;
        if (mode == Mode.CACHE) {
            c.watch(source.get());
        }
        IO.putAddress(ch + CH_SEND, stub.address());
        return c;
    }

    Mode mode() {
        return mode;
    }

    /** LOOKUP/GETATTR replies sent with long validity. */
    long cachedReplies() {
        return cachedReplies.sum();
    }

    /** LOOKUP/GETATTR replies sent uncached because the tree changed while they ran. */
    long uncachedReplies() {
        return uncachedReplies.sum();
    }

    /** Entry and inode invalidations sent. */
    long entryInvalidations() {
        return entryNotes.sum();
    }

    long inodeInvalidations() {
        return inodeNotes.sum();
    }

    /** The generation a request arriving now starts with. */
    long generation() {
        return generation;
    }

    private void watch(Kernfs fs) {
        if (fs == null || fs == watched) {
            return;
        }
        fs.root().setInodeId(ROOT_ID);
        fs.setWatcher(this);
        watched = fs;
    }

    /** Stops watching (the mount is gone). */
    void close() {
        Kernfs w = watched;
        if (w != null) {
            w.setWatcher(null);
        }
    }

    // ------------------------------------------------------------------ the watcher

    @Override
    public void changed(Kernfs fs, List<KernfsChange> changes) {
        if (fs != watched) {
            return;
        }
        Request r = CURRENT.get();
        if (r.opcode != 0 && r.cache == this) {
            // inside a callback: sent before its reply, after the callback let go of its locks
            if (r.deferred == null) {
                r.deferred = new ArrayList<>();
            }
            r.deferred.addAll(changes);
            return;
        }
        invalidate(changes);
    }

    /**
     * The served tree was replaced: forget every entry the kernel may hold of the old one (not
     * only the root's: a dentry still in use below an invalidated directory stays hashed, and
     * libfuse gives the re-created directory the same node id, so the kernel would splice the old
     * dentry with its cached children back in), then watch the new tree.
     */
    @Override
    public void retired(Kernfs old) {
        if (old != watched) {
            return;
        }
        Kernfs now = source.get();
        List<KernfsChange> all = new ArrayList<>();
        // children before their directory (post-order), so a dentry in use is dropped first
        everyEntry(old.root(), all);
        if (now != null && now != old) {
            java.util.Set<String> extra = new java.util.TreeSet<>(now.root().list());
            extra.removeAll(old.root().list());
            for (String n : extra) {
                all.add(new KernfsChange(KernfsChange.Kind.ENTRY, old.root(), n, null));
            }
        }
        watch(now);
        // not through changed(): it ignores a tree no longer watched
        Request r = CURRENT.get();
        if (r.opcode != 0 && r.cache == this) {
            if (r.deferred == null) {
                r.deferred = new ArrayList<>();
            }
            r.deferred.addAll(all);
            return;
        }
        invalidate(all);
    }

    /** An ENTRY change for every name of every directory the kernel has looked up, children first. */
    private static void everyEntry(KernfsDir dir, List<KernfsChange> out) {
        if (dir.inodeId() == 0) {
            return; // the kernel holds no dentry below it
        }
        for (String n : dir.list()) {
            KernfsNode c = dir.child(n);
            if (c instanceof KernfsDir d) {
                everyEntry(d, out);
            }
            out.add(new KernfsChange(KernfsChange.Kind.ENTRY, dir, n, c));
        }
    }

    /** Sends what this thread's request changed (before its reply, or after it if there was none). */
    void flush(Request r) {
        List<KernfsChange> d = r.deferred;
        if (d != null) {
            r.deferred = null;
            invalidate(d);
        }
    }

    private void invalidate(List<KernfsChange> changes) {
        sendLock.writeLock().lock();
        try {
            generation++;
        } finally {
            sendLock.writeLock().unlock();
        }
        Map<KernfsDir, Integer> perDir = null;
        if (changes.size() > DIR_BATCH && !changes.isEmpty() && !changes.get(0).dir().kernfs().retired()) {
            perDir = new HashMap<>();
            for (KernfsChange c : changes) {
                if (c.kind() == KernfsChange.Kind.ENTRY) {
                    perDir.merge(c.dir(), 1, Integer::sum);
                }
            }
        }
        java.util.Set<KernfsDir> wholeDirs = null;
        for (KernfsChange c : changes) {
            switch (c.kind()) {
                case ENTRY -> {
                    KernfsDir d = c.dir();
                    if (perDir != null && d.parent() != null && perDir.getOrDefault(d, 0) > DIR_BATCH) {
                        if (wholeDirs == null) {
                            wholeDirs = new java.util.HashSet<>();
                        }
                        if (wholeDirs.add(d)) {
                            entry(d.parent(), d.name());
                        }
                    } else {
                        entry(d, c.name());
                    }
                    if (c.node() instanceof KernfsLink l && l.inodeId() != 0) {
                        // its attributes, should the inode outlive the entry (held open) and
                        // libfuse give the name's next node the same id
                        lib.fuse_lowlevel_notify_inval_inode(channel, l.inodeId(), 0, 0);
                        inodeNotes.increment();
                    }
                }
                case LINK_COUNT -> inode(c.node());
                case ATTRIBUTES -> {
                    KernfsNode n = c.node();
                    inode(n);
                    if ((n instanceof KernfsDir || n instanceof KernfsAttr) && n.parent() != null) {
                        // an attribute has no inode id of its own; a directory's attributes show its ctime
                        entry(n.parent(), n.name());
                    }
                }
                default -> { }
            }
        }
    }

    private void entry(KernfsDir dir, String name) {
        long parent = dir.inodeId();
        if (parent == 0 || !dir.active()) {
            return; // the kernel has no dentry below it (a LOOKUP in flight is not cached)
        }
        // libfuse sends namelen + 1 bytes: the name NUL-terminated
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] b = java.util.Arrays.copyOf(utf8, utf8.length + 1);
        lib.fuse_lowlevel_notify_inval_entry(channel, parent, b, utf8.length);
        entryNotes.increment();
    }

    private void inode(KernfsNode n) {
        long id = n.inodeId();
        if (id != 0 && (n instanceof KernfsDir || n instanceof KernfsLink)) {
            // offset -1: the attributes only (no page cache: direct I/O)
            lib.fuse_lowlevel_notify_inval_inode(channel, id, -1, 0);
            inodeNotes.increment();
        }
    }

    // ------------------------------------------------------------------ the send hook

    private int send(long ch, long iov, long count) {
        if (iov == 0 || count < 1) {
            // fuse_reply_none (FORGET): nothing is written
            return original(ch, iov, count);
        }
        long header = IO.getAddress(iov);
        if (header == 0 || IO.getLong(header + OUT_UNIQUE) == 0) {
            // a notification (ours): no request to patch
            return original(ch, iov, count);
        }
        Request r = CURRENT.get();
        KernfsNode found = r.found;
        r.found = null;
        if (r.deferred != null) {
            flush(r);
        }
        int op = r.opcode;
        if ((op != FUSE_LOOKUP && op != FUSE_GETATTR) || count < 2 || IO.getInt(header + OUT_ERROR) != 0) {
            return original(ch, iov, count);
        }
        long arg = IO.getAddress(iov + IOV_SIZE);
        long argLen = IO.getLong(iov + IOV_SIZE + 8);
        if (arg == 0 || argLen < (op == FUSE_LOOKUP ? ENTRY_OUT_MIN : ATTR_OUT_MIN)) {
            return original(ch, iov, count);
        }
        if (mode == Mode.PERMANENT) {
            if (op == FUSE_LOOKUP && found instanceof KernfsDir d && d.permanent()) {
                IO.putLong(arg + ENTRY_VALID, VALID_SECONDS);
                IO.putInt(arg + ENTRY_VALID_NSEC, 0);
                cachedReplies.increment();
            }
            return original(ch, iov, count);
        }
        sendLock.readLock().lock();
        try {
            boolean fresh = generation == r.generation;
            long valid = fresh ? VALID_SECONDS : 0;
            // a growing control file (dmesg, uevents) reports its content's length, which changes
            // without any change of the tree: its attributes are never kept
            long attrValid = found instanceof KernfsAttr a && a.attribute().growing() ? 0 : valid;
            if (op == FUSE_LOOKUP) {
                long nodeid = IO.getLong(arg + ENTRY_NODEID);
                if (nodeid != 0 && found != null) {
                    found.setInodeId(nodeid);
                }
                IO.putLong(arg + ENTRY_VALID, valid);
                IO.putInt(arg + ENTRY_VALID_NSEC, 0);
                IO.putLong(arg + ENTRY_ATTR_VALID, attrValid);
                IO.putInt(arg + ENTRY_ATTR_VALID_NSEC, 0);
            } else {
                IO.putLong(arg + ATTR_VALID, attrValid);
                IO.putInt(arg + ATTR_VALID_NSEC, 0);
            }
            (fresh ? cachedReplies : uncachedReplies).increment();
            return original(ch, iov, count);
        } finally {
            sendLock.readLock().unlock();
        }
    }

    private int original(long ch, long iov, long count) {
        return (int) Invoker.getInstance().invokeL3(SEND_CONTEXT, originalSend, ch, iov, count);
    }
}
