package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The request loop ({@link FuseLoop}): callbacks run on a few long-lived Java threads, callbacks
 * that block do not stop the others, and an unmount from anywhere ends the loop.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuseLoopTest {
    /** Threads that ran the {@code who} attribute's show. */
    private final Set<Thread> showThreads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch hung = new CountDownLatch(3);
    private final List<SysfsMount> mounts = new ArrayList<>();

    private Kernfs tree() {
        Kernfs fs = new Kernfs(new ManualClock(), new KernelLog(new ManualClock()));
        fs.root().mkdir("dir").mkdir("sub");
        fs.root().addGroup(AttributeGroup.of(
                Attribute.ro("who", o -> {
                    showThreads.add(Thread.currentThread());
                    return "x\n";
                }),
                Attribute.wo("hang", this::hang), Attribute.wo("hang1", this::hang),
                Attribute.wo("hang2", this::hang)), new Object());
        return fs;
    }

    /** A store that waits until the test releases it (as mdev remove waits for a guest). */
    private void hang(Object o, String buf) {
        hung.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SysfsMount mount(boolean singleThreaded) {
        SysfsMount m = SysfsMount.mount(tree(), null, false, singleThreaded);
        mounts.add(m);
        return m;
    }

    @AfterEach
    void unmount() {
        release.countDown();
        for (SysfsMount m : mounts) {
            m.close();
        }
    }

    @Test
    void blockedCallbacksDoNotStopRequestsOnOtherThreads() throws Exception {
        SysfsMount m = mount(false);
        List<Thread> writers = new ArrayList<>();
        List<AtomicReference<WriteResult>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicReference<WriteResult> r = new AtomicReference<>();
            // different files: the kernel serialises writes to one FUSE inode
            Path file = m.resolve(i == 0 ? "hang" : "hang" + i);
            Thread w = new Thread(() -> r.set(Sys.writeFile(file, "1\n")), "hang-writer-" + i);
            w.setDaemon(true);
            w.start();
            writers.add(w);
            results.add(r);
        }
        // three stores block inside the daemon at the same time ...
        assertThat(hung.await(10, TimeUnit.SECONDS)).as("all three stores entered").isTrue();
        // ... and the mount still answers everything else
        for (int i = 0; i < 200; i++) {
            assertThat(Sys.stat(m.path()).isDirectory()).isTrue();
            assertThat(Sys.read(m.resolve("who"))).isEqualTo("x\n");
        }
        assertThat(Sys.readdir(m.resolve("dir"))).contains("sub");
        // the blocked three plus two readers (a few more if a reader was preempted for 2 ms on
        // a busy machine), not one thread per request
        FuseLoop loop = m.fuseMount().loop();
        assertThat(loop.liveThreads()).isBetween(3 + 1, 3 + FuseLoop.READERS + 3);
        for (Thread w : writers) {
            assertThat(w.isAlive()).as("a store returned before it was released").isTrue();
        }
        release.countDown();
        for (int i = 0; i < writers.size(); i++) {
            writers.get(i).join(10_000);
            assertThat(results.get(i).get()).as("store %d", i).isNotNull().matches(WriteResult::ok);
        }
    }

    @Test
    void callbacksRunOnABoundedSetOfLongLivedThreads() throws Exception {
        SysfsMount m = mount(false);
        FuseLoop loop = m.fuseMount().loop();
        Path who = m.resolve("who");
        Sys.read(who); // warm up
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long startedBefore = mx.getTotalStartedThreadCount();
        int readers = 4;
        int perReader = 500;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            Thread t = new Thread(() -> {
                try {
                    for (int k = 0; k < perReader; k++) {
                        assertThat(Sys.read(who)).isEqualTo("x\n");
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }, "reader-" + i);
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            t.join(30_000);
        }
        assertThat(errors).isEmpty();
        long startedDuring = mx.getTotalStartedThreadCount() - startedBefore - readers;
        // jffi used to attach a new java.lang.Thread for (almost) every callback of a native
        // libfuse worker: thousands here. Now the pool grows to about one thread per
        // concurrent request, and every callback runs on one of its threads.
        assertThat(startedDuring).as("threads started while serving %d reads", readers * perReader).isLessThan(20);
        // two threads read; another starts only while all are busy for 2 ms (a client
        // preempted on this 2-CPU machine), at most one per request in flight
        assertThat(loop.threadsStarted()).isBetween(FuseLoop.READERS, FuseLoop.READERS + readers + 2);
        assertThat(showThreads).isNotEmpty().hasSizeLessThanOrEqualTo(loop.threadsStarted())
                .allSatisfy(t -> assertThat(t.getName()).startsWith(loop.threadNamePrefix()));
    }

    @Test
    void singleThreadedServesEverythingOnTheMountThread() throws Exception {
        SysfsMount m = mount(true);
        for (int i = 0; i < 50; i++) {
            assertThat(Sys.read(m.resolve("who"))).isEqualTo("x\n");
        }
        assertThat(showThreads).hasSize(1).allSatisfy(t -> assertThat(t.getName()).isEqualTo("fuse-main"));
        assertThat(m.fuseMount().loop().threadsStarted()).isZero();
    }

    @Test
    void anExternalUnmountEndsTheLoopAndItsThreads() throws Exception {
        SysfsMount m = mount(false);
        FuseLoop loop = m.fuseMount().loop();
        assertThat(Sys.read(m.resolve("who"))).isEqualTo("x\n");
        assertThat(loop.liveThreads()).isPositive();
        assertThat(m.fuse().gone().getCount()).isEqualTo(1);

        assertThat(Sys.run("fusermount", "-u", m.path().toString()).exitCode()).isZero();

        assertThat(m.fuse().gone().await(10, TimeUnit.SECONDS)).as("destroy() was called").isTrue();
        assertLoopEnded(m, loop);
    }

    @Test
    void unmountingThroughFuseMountEndsTheLoop() throws Exception {
        SysfsMount m = mount(false);
        FuseLoop loop = m.fuseMount().loop();
        assertThat(Sys.read(m.resolve("who"))).isEqualTo("x\n");
        m.fuseMount().unmount(5, TimeUnit.SECONDS);
        assertThat(m.fuse().gone().getCount()).as("destroy() was called").isZero();
        assertLoopEnded(m, loop);
    }

    @Test
    void aStoreBlockedAtUnmountTimeEndsTheLoopOnceItReturns() throws Exception {
        SysfsMount m = mount(false);
        FuseLoop loop = m.fuseMount().loop();
        AtomicReference<WriteResult> r = new AtomicReference<>();
        Thread w = new Thread(() -> r.set(Sys.writeFile(m.resolve("hang"), "1\n")), "hang-writer");
        w.setDaemon(true);
        w.start();
        while (hung.getCount() == 3) {
            Thread.sleep(5); // polling with the class timeout as bound
        }
        // the writer holds a file open: a plain unmount is refused, a lazy one detaches
        assertThat(Sys.run("fusermount", "-u", "-z", m.path().toString()).exitCode()).isZero();
        assertThat(m.fuse().gone().await(300, TimeUnit.MILLISECONDS)).as("gone while a callback runs").isFalse();
        release.countDown();
        w.join(10_000);
        assertThat(r.get()).isNotNull().matches(WriteResult::ok);
        assertThat(m.fuse().gone().await(10, TimeUnit.SECONDS)).as("destroy() was called").isTrue();
        assertLoopEnded(m, loop);
    }

    private static void assertLoopEnded(SysfsMount m, FuseLoop loop) throws InterruptedException {
        assertThat(m.isMounted()).isFalse();
        assertThat(loop.liveThreads()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workers(loop) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the threads have left libfuse; they may still be finishing
        }
        assertThat(workers(loop)).as("worker threads still alive").isZero();
    }

    private static long workers(FuseLoop loop) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(loop.threadNamePrefix()) && t.isAlive()).count();
    }
}
