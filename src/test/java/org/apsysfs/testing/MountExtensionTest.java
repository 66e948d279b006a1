package org.apsysfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apsysfs.Daemon;
import org.apsysfs.Kernel;
import org.apsysfs.fuse.SysfsFuse;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The mount extension itself: sharing, injection, and unmounting whatever happens. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountExtensionTest {
    /** Fixtures run only when this test launches them, never on their own. */
    static volatile boolean launching;
    static final List<Path> PATHS = new CopyOnWriteArrayList<>();
    static final List<Object> OBJECTS = new CopyOnWriteArrayList<>();
    static final List<String> NOTES = new CopyOnWriteArrayList<>();

    private static TestExecutionSummary launch(Class<?> fixture) {
        PATHS.clear();
        OBJECTS.clear();
        NOTES.clear();
        launching = true;
        try {
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(fixture)).build(), listener);
            return listener.getSummary();
        } finally {
            launching = false;
        }
    }

    private static void assertGone(Path p) throws Exception {
        assertThat(FuseMountIsMounted.check(p)).as(p + " still mounted").isFalse();
        assertThat(Files.exists(p)).as(p + " left behind").isFalse();
    }

    /** Small indirection so the check reads well. */
    static final class FuseMountIsMounted {
        static boolean check(Path p) throws Exception {
            return org.apsysfs.fuse.FuseMount.isMountPoint(p);
        }
    }

    // ------------------------------------------------------------------ fixtures

    @MountedSysfs
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SharedFixture {
        @BeforeAll
        static void before(Path mnt, Daemon daemon) {
            Assumptions.assumeTrue(launching);
            PATHS.add(mnt);
            OBJECTS.add(daemon);
        }

        @Test
        @Order(1)
        void first(Path mnt, SysfsMount m, Kernfs kernfs, Kernel kernel, Daemon daemon, SysfsFuse fuse) {
            PATHS.add(mnt);
            OBJECTS.add(daemon);
            NOTES.add(Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg")).isEmpty() ? "dmesg" : "dmesg");
            NOTES.add(kernfs == kernel.sysfs() && kernel == daemon.kernel() && fuse == m.fuse() ? "same" : "different");
            NOTES.add(String.join(",", Sys.readdir(mnt)));
        }

        @Test
        @Order(2)
        void second(Path mnt, Daemon daemon) {
            PATHS.add(mnt);
            OBJECTS.add(daemon);
        }
    }

    @MountedSysfs(perTest = true)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerTestFixture {
        static final AtomicLong SHOWS = new AtomicLong();
        int built;

        /** An instance factory: per-test mounts may use the test instance. */
        @SysfsTree
        Kernfs tree() {
            built++;
            Kernfs fs = new Kernfs(new ManualClock(), new org.apsysfs.kernel.KernelLog(new ManualClock()));
            fs.root().addGroup(AttributeGroup.of(Attribute.ro("n", o -> "n" + SHOWS.incrementAndGet() + "\n")), this);
            return fs;
        }

        @Test
        @Order(1)
        void first(Path mnt) {
            Assumptions.assumeTrue(launching);
            PATHS.add(mnt);
            NOTES.add("built " + built);
        }

        @Test
        @Order(2)
        void second(Path mnt) throws Exception {
            Assumptions.assumeTrue(launching);
            PATHS.add(mnt);
            NOTES.add("previous mounted: " + org.apsysfs.fuse.FuseMount.isMountPoint(PATHS.get(0)));
        }
    }

    @MountedSysfs
    static class FailingFixture {
        @Test
        void failsWithAFileStillOpen(Path mnt) {
            Assumptions.assumeTrue(launching);
            PATHS.add(mnt);
            int fd = Sys.open(mnt.resolve("kernel/debug/apsysfs/dmesg"), Sys.O_RDONLY);
            NOTES.add("fd " + fd);
            // leaves fd open: the mount is busy when the extension unmounts
            throw new AssertionError("deliberate failure");
        }

        @Test
        @MountedSysfs(singleThreaded = true)
        void failsWithAnException(SysfsMount m) {
            Assumptions.assumeTrue(launching);
            PATHS.add(m.path());
            NOTES.add("single " + m.singleThreaded());
            throw new IllegalStateException("deliberate exception");
        }
    }

    @MountedSysfs
    static class KernelTreeFixture {
        @SysfsTree
        static Kernel tree() {
            return new Kernel(new ManualClock());
        }

        @Test
        void kernelIsInjected(Kernel kernel, Path mnt) {
            Assumptions.assumeTrue(launching);
            PATHS.add(mnt);
            OBJECTS.add(kernel);
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aClassMountIsSharedByAllTestsAndInjectedEverywhere() throws Exception {
        TestExecutionSummary s = launch(SharedFixture.class);
        assertThat(s.getTotalFailureCount()).as(s.getFailures().toString()).isZero();
        assertThat(s.getTestsSucceededCount()).isEqualTo(2);
        assertThat(PATHS).hasSize(3).containsOnly(PATHS.get(0));
        assertThat(OBJECTS).hasSize(3).containsOnly(OBJECTS.get(0));
        assertThat(NOTES).containsExactly("dmesg", "same", ".,..,bus,class,dev,devices,kernel,module");
        assertGone(PATHS.get(0));
    }

    @Test
    void perTestMountsAreFreshAndGoneBeforeTheNextTest() throws Exception {
        TestExecutionSummary s = launch(PerTestFixture.class);
        assertThat(s.getTotalFailureCount()).as(s.getFailures().toString()).isZero();
        assertThat(s.getTestsSucceededCount()).isEqualTo(2);
        assertThat(PATHS).hasSize(2).doesNotHaveDuplicates();
        assertThat(NOTES).containsExactly("built 1", "previous mounted: false");
        assertGone(PATHS.get(0));
        assertGone(PATHS.get(1));
    }

    @Test
    void failingTestsStillUnmountEvenWithAFileLeftOpen() throws Exception {
        TestExecutionSummary s = launch(FailingFixture.class);
        assertThat(s.getTotalFailureCount()).isEqualTo(2);
        assertThat(PATHS).hasSize(2).doesNotHaveDuplicates();
        assertThat(NOTES).contains("single true");
        assertThat(NOTES.stream().filter(n -> n.startsWith("fd ")).findFirst().orElseThrow()).doesNotContain("-");
        assertGone(PATHS.get(0));
        assertGone(PATHS.get(1));
    }

    @Test
    void aTreeFactoryMayReturnAKernel() throws Exception {
        TestExecutionSummary s = launch(KernelTreeFixture.class);
        assertThat(s.getTotalFailureCount()).as(s.getFailures().toString()).isZero();
        assertThat(OBJECTS).hasSize(1).first().isInstanceOf(Kernel.class);
        assertGone(PATHS.get(0));
    }

    /** A store that never returns: close() must abort the connection and still unmount. */
    @Test
    void closeUnmountsEvenWithARequestStuckInTheDaemon() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Kernfs fs = new Kernfs(new ManualClock(), new org.apsysfs.kernel.KernelLog(new ManualClock()));
        fs.root().addGroup(AttributeGroup.of(Attribute.wo("hang", (o, buf) -> {
            entered.countDown();
            try {
                never.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })), new Object());
        SysfsMount m = SysfsMount.mount(fs);
        Path dir = m.path();
        long[] result = new long[1];
        Thread writer = new Thread(() -> result[0] = Sys.writeFile(m.resolve("hang"), "1").errno());
        writer.setDaemon(true);
        try {
            writer.start();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            m.close();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(15);
            writer.join(10_000);
            assertThat(writer.isAlive()).as("the writer stayed stuck").isFalse();
            assertThat(result[0]).as("errno of the stuck write").isNotZero();
            assertGone(dir);
        } finally {
            never.countDown();
            m.close();
        }
    }

    @Test
    void aMountCanBeUsedWithTryWithResources() throws Exception {
        Path dir;
        try (SysfsMount m = SysfsMount.mountDefault()) {
            dir = m.path();
            assertThat(m.isMounted()).isTrue();
            SysfsAssert.assertThat(m).dir("kernel/debug/apsysfs").containsEntries("dmesg", "uevents");
        }
        assertGone(dir);
    }

    /** A test JVM killed with SIGKILL leaves a dead mount; the next run removes it. */
    @Test
    void deadMountsOfAKilledJvmAreCleanedUpButLiveOnesAreNot() throws Exception {
        Path dead = Files.createTempDirectory(SysfsMount.PREFIX);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "org.apsysfs.cli.Main", "run", dead.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (SysfsMount live = SysfsMount.mountDefault()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(dead.resolve("kernel")) && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(10); // polling with a bound for the child's mount
            }
            assertThat(Files.exists(dead.resolve("kernel"))).as("child daemon mounted").isTrue();
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the mount stays, dead
            assertThat(Sys.lstatErrno(dead)).isEqualTo(107); // ENOTCONN
            SysfsMount.cleanStaleMountsNow();
            assertGone(dead);
            assertThat(live.isMounted()).isTrue();
            assertThat(Sys.readdir(live.path())).contains("kernel");
        } finally {
            p.destroyForcibly();
            if (org.apsysfs.fuse.FuseMount.isMountPoint(dead)) {
                Sys.run("fusermount", "-u", "-z", dead.toString());
            }
            Files.deleteIfExists(dead);
        }
    }
}
