package org.apsysfs.fuse;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseException;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * libfuse 2's {@code fuse_main_real} with the request loop in Java: {@code fuse_setup} mounts,
 * requests are received from /dev/fuse and processed ({@code fuse_chan_recv} +
 * {@code fuse_session_process}) on Java threads, {@code fuse_teardown} unmounts and calls
 * destroy.
 *
 * <p>Why: with {@code fuse_loop_mt} every callback arrives on a native libfuse worker thread,
 * which jffi attaches to the JVM for the callback and detaches again afterwards (a new
 * {@code java.lang.Thread} per callback). Here the threads that call into libfuse are Java
 * threads that live as long as the mount, so every callback runs on a thread that is already
 * attached.
 *
 * <p><b>Single-threaded</b> ({@code --single-threaded}), the calling thread is the only one.
 *
 * <p><b>Multi-threaded</b>, up to {@link #READERS} (2) threads wait in {@code read(/dev/fuse)}
 * and each processes the request it receives; the kernel hands each request to one waiting
 * reader. A thread that finishes a request reads again if fewer than {@link #READERS} threads
 * are reading, else it waits in Java as a spare. Requests are short (microseconds), so two
 * readers serve everything, and a client never waits for a thread that has to be woken for
 * it. Some requests block for a long time (an mdev {@code remove} waits while a guest holds
 * the device): the thread that called {@link #run} watches the others, and when nobody has
 * been reading for {@link #SPARE_AFTER_NANOS} (2 ms) while a request is still running, it
 * wakes a spare (or starts a new thread) to read. So however many callbacks block, the mount
 * keeps answering; the pool grows by one thread per callback blocked at the same time, and
 * more than {@link #MAX_SPARES} spares end. (libfuse's own loop instead keeps every idle
 * thread waiting in read and starts a thread whenever the last one takes a request. Measured
 * on the project's 2-CPU VMs, most of a request's cost is the kernel waking threads, so the
 * fewer threads wait in read, the faster; one reader alone is slower for a single sequential
 * client: see docs/benchmarks.md.)
 *
 * <p>The loop ends when the kernel ends the connection (unmount, also {@code fusermount -u}
 * from outside, or an abort): every waiting reader then gets ENODEV. {@link #run} returns when
 * every thread has left libfuse, so {@link #teardown} never frees the session under a thread.
 */
final class FuseLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FuseLoop.class);
    /** The daemon's own "apsysfs: ..." lines share the kernel log's logger (the documented log format). */
    private static final Logger DAEMON_LOG = LoggerFactory.getLogger("kernel");
    /** Threads waiting in read(/dev/fuse) at most (tunable for measurements). */
    static final int READERS = Math.max(1, Integer.getInteger("apsysfs.fuse.readers", 2));
    /**
     * A request that has run this long while no thread reads makes another thread read
     * (tunable for measurements, in microseconds).
     */
    static final long SPARE_AFTER_NANOS = Math.max(100, Long.getLong("apsysfs.fuse.spareMicros", 2000)) * 1000L;
    /** Spare threads (waiting in Java) beyond this many end. */
    static final int MAX_SPARES = 10;
    private static final int EINTR = 4;
    private static final AtomicInteger LOOPS = new AtomicInteger();
    private static volatile LibFuseSession library;

    private final LibFuseSession lib;
    private final Runtime runtime;
    private final Pointer fuse;
    private final Pointer session;
    private final Pointer channel;
    private final Pointer mountpoint;
    private final long bufsize;
    private final boolean multiThreaded;
    private final String namePrefix;
    /** What the kernel may cache and its invalidation (the reply hook), or null. */
    private final KernelCache cache;
    private final AtomicInteger started = new AtomicInteger();
    /** Requests received, by opcode ({@code enum fuse_opcode}; the last slot counts any beyond). */
    private final java.util.concurrent.atomic.AtomicLongArray requests = new java.util.concurrent.atomic.AtomicLongArray(64);
    private final AtomicInteger nextId = new AtomicInteger();

    /** Threads serving: reading, processing or waiting as spares. */
    private final AtomicInteger live = new AtomicInteger();
    /** Threads reading /dev/fuse (or about to). */
    private final AtomicInteger readers = new AtomicInteger();
    /** Spares, most recently used first. */
    private final ConcurrentLinkedDeque<Worker> spares = new ConcurrentLinkedDeque<>();
    /** The watcher sleeps until a thread takes the last reader's place (readers drops to 0). */
    private volatile boolean watcherIdle;
    /** System.nanoTime() when readers last dropped to 0. */
    private volatile long noReaderSince;
    private volatile Thread watcher;
    private volatile boolean exit;
    private volatile int error;
    private volatile Runnable stuck = () -> { };
    private boolean tornDown;

    /** A serving thread. */
    private static final class Worker {
        final Thread thread;
        volatile boolean promoted;

        Worker(Thread thread) {
            this.thread = thread;
        }
    }

    private FuseLoop(LibFuseSession lib, Runtime runtime, Pointer fuse, Pointer mountpoint, boolean multiThreaded,
            java.util.function.Supplier<org.apsysfs.sysfs.Kernfs> source) {
        this.lib = lib;
        this.runtime = runtime;
        this.fuse = fuse;
        this.mountpoint = mountpoint;
        this.session = lib.fuse_get_session(fuse);
        this.channel = lib.fuse_session_next_chan(session, null);
        this.bufsize = lib.fuse_chan_bufsize(channel);
        this.multiThreaded = multiThreaded;
        this.namePrefix = "apsysfs-fuse-" + LOOPS.incrementAndGet() + "-";
        KernelCache.Mode mode = cacheMode(multiThreaded);
        this.cache = mode == null ? null
                : KernelCache.install(mode, lib, runtime, channel, session, lib.fuse_chan_fd(channel), bufsize, source);
    }

    /**
     * What the kernel may cache on a mount: everything (invalidated on each change) when
     * multi-threaded and opted in with {@code -Dapsysfs.fuse.cache=true} (off by default: see
     * BENCHMARKS.md for the cases it still gets wrong), otherwise only the permanent directories'
     * entries; nothing with {@code -Dapsysfs.fuse.permanentEntries=false} (null).
     */
    static KernelCache.Mode cacheMode(boolean multiThreaded) {
        if (!Boolean.parseBoolean(System.getProperty("apsysfs.fuse.permanentEntries", "true"))) {
            return null;
        }
        boolean cache = Boolean.parseBoolean(System.getProperty("apsysfs.fuse.cache", "false"));
        return cache && multiThreaded ? KernelCache.Mode.CACHE : KernelCache.Mode.PERMANENT;
    }

    /** The kernel cache hook (null if none was installed), for tests and diagnostics. */
    KernelCache cache() {
        return cache;
    }

    static LibFuseSession library() {
        LibFuseSession l = library;
        if (l == null) {
            synchronized (FuseLoop.class) {
                l = library;
                if (l == null) {
                    try {
                        l = LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
                    } catch (Throwable e) {
                        l = LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
                    }
                    library = l;
                }
            }
        }
        return l;
    }

    /**
     * Mounts with {@code fuse_setup}: {@code argv} is a libfuse command line (program name,
     * {@code -f}, mount point, options). The kernel sends INIT only once a thread reads, so
     * the init callback runs inside {@link #run}.
     *
     * @throws FuseException if libfuse refuses the command line or the mount
     */
    static FuseLoop setup(FuseOperations ops, String[] argv, boolean multiThreaded,
            java.util.function.Supplier<org.apsysfs.sysfs.Kernfs> source) {
        LibFuseSession lib = library();
        Runtime runtime = Runtime.getRuntime(lib);
        Pointer mp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        Pointer mt = Memory.allocateDirect(runtime, 4, true);
        Pointer fuse = lib.fuse_setup(argv.length, argv, ops, Struct.size(ops), mp, mt, null);
        if (fuse == null) {
            throw new FuseException("fuse_setup failed (libfuse's message is on stderr)");
        }
        FuseLoop loop = new FuseLoop(lib, runtime, fuse, mp.getPointer(0), multiThreaded, source);
        if (cacheMode(multiThreaded) == KernelCache.Mode.CACHE && loop.cache == null) {
            // mounted with a long negative_timeout that nothing would invalidate
            loop.teardown();
            throw new FuseException("cannot hook libfuse's channel (not libfuse 2.9?): mount with -Dapsysfs.fuse.cache=false");
        }
        return loop;
    }

    /**
     * Called (once) when the session has ended but threads are still serving a second later
     * (blocked in a callback, or in read(/dev/fuse) if a read error rather than an unmount
     * ended the session): an unmount wakes readers.
     */
    void onStuck(Runnable r) {
        this.stuck = r;
    }

    /**
     * Serves until the connection ends. Single-threaded, on the calling thread; multi-threaded,
     * on worker threads while the calling thread watches them, until all have left libfuse.
     *
     * @return 0 after an unmount, -1 if reading /dev/fuse failed
     */
    int run() {
        if (!multiThreaded) {
            Worker self = new Worker(Thread.currentThread());
            live.incrementAndGet();
            readers.incrementAndGet();
            work(self);
        } else {
            watcher = Thread.currentThread();
            for (int i = 0; i < READERS; i++) {
                readers.incrementAndGet();
                startWorker();
            }
            watch();
        }
        return error < 0 ? -1 : 0;
    }

    /** Unmounts if still mounted, calls destroy, frees libfuse's structures. Once, after {@link #run}. */
    synchronized void teardown() {
        if (tornDown) {
            return;
        }
        if (live.get() > 0) {
            throw new IllegalStateException("teardown while " + live.get() + " thread(s) are in libfuse");
        }
        tornDown = true;
        if (cache != null) {
            cache.close();
        }
        DAEMON_LOG.info("apsysfs: FUSE requests served: {}{}", requestCounts(),
                cache == null ? "" : String.format(" (cached replies %d, uncached %d, entry invalidations %d, inode invalidations %d)",
                        cache.cachedReplies(), cache.uncachedReplies(), cache.entryInvalidations(), cache.inodeInvalidations()));
        lib.fuse_teardown(fuse, mountpoint);
    }

    /** {@code enum fuse_opcode} names of the requests counted in {@link #requestCounts}. */
    private static final String[] OPCODES = new String[64];

    static {
        String[] names = {null, "LOOKUP", "FORGET", "GETATTR", "SETATTR", "READLINK", "SYMLINK", null, "MKNOD",
            "MKDIR", "UNLINK", "RMDIR", "RENAME", "LINK", "OPEN", "READ", "WRITE", "STATFS", "RELEASE", null,
            "FSYNC", "SETXATTR", "GETXATTR", "LISTXATTR", "REMOVEXATTR", "FLUSH", "INIT", "OPENDIR", "READDIR",
            "RELEASEDIR", "FSYNCDIR", "GETLK", "SETLK", "SETLKW", "ACCESS", "CREATE", "INTERRUPT", "BMAP",
            "DESTROY", "IOCTL", "POLL", "NOTIFY_REPLY", "BATCH_FORGET", "FALLOCATE", "READDIRPLUS", "RENAME2",
            "LSEEK", "COPY_FILE_RANGE"};
        for (int i = 0; i < 64; i++) {
            OPCODES[i] = i < names.length && names[i] != null ? names[i] : "OP" + i;
        }
    }

    /** Requests received so far with {@code opcode}. */
    long requests(int opcode) {
        return requests.get(opcode);
    }

    /** The requests received so far by opcode, e.g. {@code "LOOKUP=4 OPEN=100 READ=200"}. */
    String requestCounts() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            long n = requests.get(i);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : " ").append(OPCODES[i]).append('=').append(n);
            }
        }
        return sb.toString();
    }

    /** Number of worker threads started so far (multi-threaded; 0 single-threaded). */
    int threadsStarted() {
        return started.get();
    }

    /** Worker threads are named this plus a number (multi-threaded). */
    String threadNamePrefix() {
        return namePrefix;
    }

    /** Threads serving (reading, processing or waiting as spares). */
    int liveThreads() {
        return live.get();
    }

    /** Starts a worker; the caller has counted it in {@link #readers}. */
    private void startWorker() {
        live.incrementAndGet();
        try {
            Worker[] self = new Worker[1];
            Thread t = new Thread(() -> work(self[0]), namePrefix + nextId.getAndIncrement());
            t.setDaemon(true);
            self[0] = new Worker(t);
            t.start();
            started.incrementAndGet();
        } catch (RuntimeException | Error e) {
            // no thread (out of memory or threads): serve on with the ones there are
            readers.decrementAndGet();
            live.decrementAndGet();
            LOG.error("apsysfs: cannot start a FUSE thread", e);
        }
    }

    /** Makes one more thread read: the most recently used spare, or a new thread. */
    private void addReader() {
        readers.incrementAndGet();
        Worker s = spares.pollFirst();
        if (s != null) {
            s.promoted = true;
            LockSupport.unpark(s.thread);
        } else {
            startWorker();
        }
    }

    /**
     * The watcher (multi-threaded), on the thread that called {@link #run}. It sleeps while
     * some thread reads; when the last reader takes a request (readers drops to 0) that thread
     * wakes it, and if nobody has read for {@link #SPARE_AFTER_NANOS} since, it adds a reader.
     * A client that sends one request at a time never wakes it (two threads read). Returns
     * when no thread serves any more.
     */
    private void watch() {
        long exitSeen = 0;
        boolean kicked = false;
        // parking returns at once while the interrupt flag is set: keep it clear, restore it
        boolean interrupted = false;
        while (live.get() > 0) {
            interrupted |= Thread.interrupted();
            long now = System.nanoTime();
            if (exit) {
                for (Worker s : spares) {
                    LockSupport.unpark(s.thread);
                }
                if (exitSeen == 0) {
                    exitSeen = now;
                } else if (!kicked && now - exitSeen > 1_000_000_000L) {
                    kicked = true;
                    LOG.warn("apsysfs: FUSE session ended with {} thread(s) still serving; unmounting", live.get());
                    stuck.run();
                }
                LockSupport.parkNanos(this, 50_000_000L);
                continue;
            }
            if (readers.get() > 0) {
                watcherIdle = true;
                if (readers.get() > 0 && !exit && live.get() > 0) {
                    // the timeout only bounds a missed wake-up
                    LockSupport.parkNanos(this, 1_000_000_000L);
                }
                watcherIdle = false;
                continue;
            }
            long due = noReaderSince + SPARE_AFTER_NANOS - now;
            if (due <= 0) {
                addReader();
            } else {
                LockSupport.parkNanos(this, Math.max(due, 50_000L));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void work(Worker w) {
        Pointer buf = Memory.allocateDirect(runtime, bufsize, false);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        KernelCache.Request request = KernelCache.request();
        request.cache = cache;
        boolean retired = false;
        try {
            // counted in readers by whoever started or promoted this thread
            while (!exit) {
                chp.putPointer(0, channel);
                int res = lib.fuse_chan_recv(chp, buf, bufsize);
                if (res == -EINTR) {
                    continue;
                }
                if (res <= 0) {
                    if (res < 0) {
                        LOG.error("apsysfs: reading /dev/fuse failed: errno {}", -res);
                        error = res;
                        lib.fuse_session_exit(session);
                    }
                    break;
                }
                if (exit) {
                    break;
                }
                int stillReading = readers.decrementAndGet();
                if (multiThreaded && stillReading <= 0) {
                    // the last reader took a request: the watcher times how long nobody reads
                    noReaderSince = System.nanoTime();
                    if (watcherIdle) {
                        watcherIdle = false;
                        LockSupport.unpark(watcher);
                    }
                }
                try {
                    // the kernel channel stays what it was; a Pointer per request otherwise
                    Pointer ch = chp.getLong(0) == channel.address() ? channel : chp.getPointer(0);
                    // fuse_in_header: len u32, opcode u32, ...
                    request.opcode = buf.getInt(4);
                    requests.incrementAndGet(Math.min(Math.max(request.opcode, 0), 63));
                    request.found = null;
                    request.generation = cache == null ? 0 : cache.generation();
                    lib.fuse_session_process(session, buf, res, ch);
                    if (cache != null && request.deferred != null) {
                        // a request without a reply (none changes the tree; to be sure)
                        cache.flush(request);
                    }
                } catch (RuntimeException | Error e) {
                    // a callback let an exception escape; libfuse has answered the request
                    LOG.error("apsysfs: FUSE request failed", e);
                } finally {
                    request.opcode = 0;
                }
                if (multiThreaded && readers.get() >= READERS) {
                    // enough threads read: wait as a spare until the watcher needs one
                    if (spares.size() >= MAX_SPARES) {
                        retired = true;
                        break;
                    }
                    w.promoted = false;
                    spares.addFirst(w);
                    while (!w.promoted && !exit) {
                        LockSupport.park(this);
                        Thread.interrupted(); // nobody should; parking would spin
                    }
                    if (!w.promoted) {
                        spares.remove(w);
                        break;
                    }
                } else {
                    readers.incrementAndGet();
                }
            }
        } finally {
            if (!retired) {
                // the connection ended (or reading failed): nobody reads again
                exit = true;
                for (Worker s : spares) {
                    LockSupport.unpark(s.thread);
                }
            }
            live.decrementAndGet();
            Thread wt = watcher;
            if (wt != null) {
                LockSupport.unpark(wt);
            }
        }
    }
}
