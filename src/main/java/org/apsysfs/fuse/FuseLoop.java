package org.apsysfs.fuse;

import java.util.concurrent.atomic.AtomicInteger;
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
 * threads, so every callback runs on a thread that is already attached.
 *
 * <p>Multi-threaded, the loop does what libfuse 2.9's {@code fuse_session_loop_mt} does:
 * several threads block in {@code read(/dev/fuse)} (the kernel hands each request to one of
 * them); when a thread takes a request and no other thread is left waiting, it starts another
 * one first, so a callback that blocks (a store waiting for a guest) never leaves the mount
 * without a reader; a thread that finds more than {@value #MAX_IDLE} others idle ends. FORGET
 * requests do not count as busy (they need no reply). Single-threaded, the calling thread is
 * the only reader.
 *
 * <p>The loop ends when the kernel ends the connection (unmount, also {@code fusermount -u}
 * from outside, or an abort): every waiting reader then gets ENODEV. {@link #run} returns when
 * every thread has left libfuse, so {@link #teardown} never frees the session under a thread.
 */
final class FuseLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FuseLoop.class);
    /** Idle readers beyond this many end (libfuse 2.9: numavail > 10). */
    static final int MAX_IDLE = 10;
    private static final int EINTR = 4;
    private static final int FUSE_FORGET = 2;
    private static final int FUSE_BATCH_FORGET = 42;
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
    private final AtomicInteger started = new AtomicInteger();

    /** Threads serving (reading or processing). */
    private final AtomicInteger live = new AtomicInteger();
    /** Threads not busy with a request (libfuse's numavail). */
    private final AtomicInteger avail = new AtomicInteger();
    private final AtomicInteger nextId = new AtomicInteger();
    private volatile boolean exit;
    private volatile int error;
    private volatile Runnable stuck = () -> { };
    private boolean tornDown;

    private FuseLoop(LibFuseSession lib, Runtime runtime, Pointer fuse, Pointer mountpoint, boolean multiThreaded) {
        this.lib = lib;
        this.runtime = runtime;
        this.fuse = fuse;
        this.mountpoint = mountpoint;
        this.session = lib.fuse_get_session(fuse);
        this.channel = lib.fuse_session_next_chan(session, null);
        this.bufsize = lib.fuse_chan_bufsize(channel);
        this.multiThreaded = multiThreaded;
        this.namePrefix = "apsysfs-fuse-" + LOOPS.incrementAndGet() + "-";
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
    static FuseLoop setup(FuseOperations ops, String[] argv, boolean multiThreaded) {
        LibFuseSession lib = library();
        Runtime runtime = Runtime.getRuntime(lib);
        Pointer mp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        Pointer mt = Memory.allocateDirect(runtime, 4, true);
        Pointer fuse = lib.fuse_setup(argv.length, argv, ops, Struct.size(ops), mp, mt, null);
        if (fuse == null) {
            throw new FuseException("fuse_setup failed (libfuse's message is on stderr)");
        }
        return new FuseLoop(lib, runtime, fuse, mp.getPointer(0), multiThreaded);
    }

    /**
     * Called (once) when the session has ended but threads are still blocked reading
     * /dev/fuse after a while: only an unmount (an aborted connection) wakes them.
     */
    void onStuck(Runnable r) {
        this.stuck = r;
    }

    /**
     * Serves until the connection ends. Single-threaded, on the calling thread; multi-threaded,
     * on worker threads while the calling thread waits for all of them to leave libfuse.
     *
     * @return 0 after an unmount, -1 if reading /dev/fuse failed
     */
    int run() {
        if (!multiThreaded) {
            live.set(1);
            avail.set(1);
            work(false);
        } else {
            startWorker();
            boolean interrupted = false;
            boolean kicked = false;
            long exitSeen = 0;
            synchronized (this) {
                while (live.get() > 0) {
                    try {
                        wait(250);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    if (!exit || kicked || live.get() == 0) {
                        continue;
                    }
                    long now = System.nanoTime();
                    if (exitSeen == 0) {
                        exitSeen = now;
                    } else if (now - exitSeen > 1_000_000_000L) {
                        // readers still blocked in read(/dev/fuse) a second after the end
                        // (e.g. a read error ended the session, not an unmount)
                        kicked = true;
                        LOG.warn("apsysfs: FUSE session ended with {} thread(s) still serving; unmounting",
                                live.get());
                        stuck.run();
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
        lib.fuse_teardown(fuse, mountpoint);
    }

    /** Number of worker threads started so far (multi-threaded; 0 single-threaded). */
    int threadsStarted() {
        return started.get();
    }

    /** Worker threads are named this plus a number (multi-threaded). */
    String threadNamePrefix() {
        return namePrefix;
    }

    /** Threads currently serving (reading or processing). */
    int liveThreads() {
        return live.get();
    }

    /** Starts another reader (counted as live and available before it runs). */
    private void startWorker() {
        live.incrementAndGet();
        avail.incrementAndGet();
        try {
            Thread t = new Thread(() -> work(true), namePrefix + nextId.getAndIncrement());
            t.setDaemon(true);
            t.start();
            started.incrementAndGet();
        } catch (RuntimeException | Error e) {
            // no thread (out of memory or threads): serve on with the ones there are
            avail.decrementAndGet();
            live.decrementAndGet();
            LOG.error("apsysfs: cannot start a FUSE thread", e);
        }
    }

    private void work(boolean worker) {
        Pointer buf = Memory.allocateDirect(runtime, bufsize, false);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        boolean retired = false;
        try {
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
                int opcode = buf.getInt(4);
                boolean forget = opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET;
                if (!forget && avail.decrementAndGet() == 0 && multiThreaded) {
                    // the last idle reader takes a request: start another one first, so
                    // that a callback that blocks never leaves the mount without a reader
                    startWorker();
                }
                try {
                    lib.fuse_session_process(session, buf, res, chp.getPointer(0));
                } catch (RuntimeException | Error e) {
                    // a callback let an exception escape; libfuse has answered the request
                    LOG.error("apsysfs: FUSE request (opcode {}) failed", opcode, e);
                }
                if (!forget) {
                    int a = avail.incrementAndGet();
                    if (worker && a > MAX_IDLE && !exit && avail.compareAndSet(a, a - 1)) {
                        retired = true;
                        break;
                    }
                }
            }
        } finally {
            live.decrementAndGet();
            if (!retired) {
                // the connection ended (or failed): no thread reads again
                exit = true;
            }
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
