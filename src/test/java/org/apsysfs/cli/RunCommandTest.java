package org.apsysfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code apsysfs run DIR}, in-process (no packaging needed). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunCommandTest {

    /** Runs the command line and returns {exit code, stderr}. */
    private static Object[] execute(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = new CommandLine(new Main()).execute(args);
            return new Object[] {rc, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void refusesANonEmptyDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("something"), "x");
        Object[] r = execute("run", dir.toString());
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[1]).contains("is not empty");
        assertThat(FuseMount.isMountPoint(dir)).isFalse();
    }

    @Test
    void refusesSomethingThatIsNotADirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThat(execute("run", file.toString())[0]).isEqualTo(2);
        assertThat(execute("run", dir.resolve("missing").toString())[0]).isEqualTo(2);
    }

    @Test
    void refusesAnExistingMountPoint() throws Exception {
        try (SysfsMount m = SysfsMount.mountDefault()) {
            Object[] r = execute("run", m.path().toString());
            assertThat(r[0]).isEqualTo(2);
            assertThat((String) r[1]).contains("already a mount point");
            // the mount it refused is untouched
            assertThat(Sys.readdir(m.path())).contains("bus", "devices");
        }
    }

    @Test
    void refusesAnEmptyFuseMountPointToo() throws Exception {
        // a mounted tree whose root is empty: only the mount-point check can catch it
        var fs = new org.apsysfs.sysfs.Kernfs(new org.apsysfs.kernel.ManualClock(),
                new org.apsysfs.kernel.KernelLog(new org.apsysfs.kernel.ManualClock()));
        try (SysfsMount m = SysfsMount.mount(fs)) {
            assertThat(RunCommand.checkMountpoint(m.path())).contains("already a mount point");
        }
    }

    @Test
    void servesUntilUnmountedFromOutside(@TempDir Path parent) throws Exception {
        Path dir = Files.createDirectory(parent.resolve("mnt"));
        AtomicInteger rc = new AtomicInteger(-1);
        Thread t = new Thread(() -> rc.set(new CommandLine(new Main()).execute("run", dir.toString())), "run-command");
        t.setDaemon(true);
        t.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(dir.resolve("kernel/debug/apsysfs/dmesg")) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.sleep(5); // polling with a bound, not synchronisation
            }
            assertThat(FuseMount.isMountPoint(dir)).isTrue();
            // the tree answers as soon as the kernel has sent INIT; the command logs "serving"
            // right after it sees that, so the line may come a moment later
            String serving = "apsysfs: serving default at " + dir;
            while (!Sys.read(dir.resolve("kernel/debug/apsysfs/dmesg")).contains(serving) && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling with a bound, not synchronisation
            }
            assertThat(Sys.read(dir.resolve("kernel/debug/apsysfs/dmesg"))).contains(serving);
            assertThat(Sys.run("fusermount", "-u", dir.toString()).exitCode()).isZero();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
            assertThat(rc.get()).isZero();
        } finally {
            if (FuseMount.isMountPoint(dir)) {
                Sys.run("fusermount", "-u", "-z", dir.toString());
            }
        }
        assertThat(FuseMount.isMountPoint(dir)).isFalse();
    }
}
