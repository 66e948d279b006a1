package org.apsysfs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.fuse.SysfsFuse;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits the daemon keeps whatever its users do: only root writes, a write is consumed a page
 * per store, per-open snapshots are freed on release, and memory stays flat over a long read
 * loop (the daemon as a child process, its RSS from /proc).
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BoundsTest {
    private static final int MIB = 1 << 20;

    private static SysfsMount prepared(Daemon d, boolean allowOther) {
        SysfsMount m = SysfsMount.mount(d.kernel().sysfs(), d, allowOther, false);
        try {
            Fuzzer.prepare(m.path());
        } catch (RuntimeException | AssertionError e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * With {@code --allow-other}, nobody (uid 65534, no groups) gets EACCES writing any
     * writable file of the prepared default machine, and nothing changes.
     */
    @Test
    void nonRootGetsEaccesOnEveryWritableFile() throws IOException {
        Daemon d = Daemon.create("default", new ManualClock());
        try (SysfsMount m = prepared(d, true)) {
            TreeSnapshot before = TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED);
            List<String> writable = before.writable();
            assertThat(writable).hasSizeGreaterThan(150);
            long uevents = d.kernel().uevents().lastSeqnum();
            for (String value : List.of("1\n", "0\n", Fuzzer.U1 + "\n", "05.0004\n", "")) {
                List<String> cmd = new ArrayList<>(List.of(NativeHelper.get().toString(), "write", value));
                for (String p : writable) {
                    cmd.add(m.resolve(p).toString());
                }
                List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
                c.addAll(cmd);
                Sys.ProcResult r = Sys.run(c, 60, TimeUnit.SECONDS);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                List<String> lines = Arrays.asList(r.stdout().split("\n"));
                assertThat(lines).hasSize(writable.size());
                assertThat(lines).allSatisfy(l -> assertThat(l).startsWith(Errno.EACCES.code() + " "));
            }
            assertThat(TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED).diff(before)).isNull();
            assertThat(d.kernel().uevents().lastSeqnum()).isEqualTo(uevents);
            // root still can
            assertThat(Sys.writeFile(m.resolve("bus/ap/scans"), "1\n").ok()).isTrue();
        }
    }

    /**
     * A 1 MiB write is consumed a page per store: write(2) returns 4096 and a loop needs 256
     * calls, each one store (counted by {@code scans}, which rescans once per store). A 1 MiB
     * write of garbage fails at its first page and changes nothing. 64 MiB written leave the
     * heap where it was.
     */
    @Test
    void largeWritesAreConsumedAPagePerStore() {
        Daemon d = Daemon.create("default", new ManualClock());
        try (SysfsMount m = prepared(d, false)) {
            byte[] mib = new byte[MIB];
            Arrays.fill(mib, (byte) '1');
            Path scans = m.resolve("bus/ap/scans");
            long before = Long.parseLong(Sys.read(scans).strip());
            int fd = Sys.open(scans, Sys.O_WRONLY);
            int calls = 0;
            int off = 0;
            try {
                while (off < mib.length) {
                    long n = Sys.write(fd, Arrays.copyOfRange(mib, off, mib.length));
                    assertThat(n).as("write(2) at offset " + off).isEqualTo(4096);
                    off += (int) n;
                    calls++;
                }
            } finally {
                Sys.close(fd);
            }
            assertThat(calls).isEqualTo(256);
            assertThat(Long.parseLong(Sys.read(scans).strip()) - before).isEqualTo(256);

            TreeSnapshot snap = TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED);
            byte[] junk = new byte[MIB];
            Arrays.fill(junk, (byte) 'f'); // 4096 hex digits: more than a mask holds
            for (String f : List.of("bus/ap/apmask", "bus/ap/aqmask", "devices/vfio_ap/matrix/" + Fuzzer.U1 + "/ap_config",
                    "devices/vfio_ap/matrix/" + Fuzzer.U1 + "/assign_domain",
                    "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create")) {
                assertThat(Sys.writeFile(m.resolve(f), junk, Sys.O_WRONLY).errno()).as(f).isEqualTo(Errno.EINVAL.code());
            }
            assertThat(TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED).diff(snap)).isNull();

            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            Path pqap = m.resolve("kernel/debug/apsysfs/guests/g1/pqap");
            for (int i = 0; i < 64; i++) {
                Sys.writeFile(pqap, junk, Sys.O_WRONLY);
                Sys.writeFile(m.resolve("devices/ap/card05/05.0004/request_count"), junk, Sys.O_WRONLY);
            }
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            assertThat(heapAfter - heapBefore).as("heap growth after 128 MiB of writes").isLessThan(32L * MIB);
        }
    }

    /** Per-open snapshots are dropped on release: the open-file table returns to empty. */
    @Test
    void perOpenSnapshotsAreFreedOnRelease() {
        Daemon d = Daemon.create("default", new ManualClock());
        try (SysfsMount m = prepared(d, false)) {
            SysfsFuse fuse = m.fuse();
            awaitZero(fuse); // the preparation's last release may still be on its way
            List<String> files = List.of("bus/ap/bindings", "devices/ap/card05/05.0004/reset", "bus/ap/apmask",
                    "devices/vfio_ap/matrix/" + Fuzzer.U1 + "/matrix", "kernel/debug/apsysfs/dmesg", "kernel/debug/apsysfs/uevents");
            for (int i = 0; i < 20_000; i++) {
                Path p = m.resolve(files.get(i % files.size()));
                switch (i % 4) {
                    case 0 -> Sys.read(p);
                    case 1 -> Sys.read(p, 61); // several small reads through one snapshot
                    case 2 -> {
                        int fd = Sys.open(p, Sys.O_RDONLY); // opened, never read
                        Sys.close(fd);
                    }
                    default -> {
                        int fd = Sys.open(p, Sys.O_RDWR);
                        if (fd >= 0) {
                            Sys.read(fd, 3); // a partial read leaves a snapshot behind until close
                            Sys.close(fd);
                        }
                    }
                }
            }
            int fd = Sys.open(m.resolve("bus/ap/bindings"), Sys.O_RDONLY);
            Sys.read(fd, 2);
            assertThat(fuse.openFiles()).isEqualTo(1);
            Sys.close(fd);
            awaitZero(fuse);
            // a failed open leaves nothing either
            for (int i = 0; i < 1000; i++) {
                assertThat(Sys.open(m.resolve("bus/ap/bindings"), Sys.O_WRONLY)).isEqualTo(-Errno.EACCES.code());
            }
            awaitZero(fuse);
        }
    }

    /** release is asynchronous to close(2) in FUSE: allow it a moment to arrive. */
    private static void awaitZero(SysfsFuse fuse) {
        long deadline = System.currentTimeMillis() + 5000;
        while (fuse.openFiles() != 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(fuse.openFiles()).isZero();
    }

    /**
     * The daemon as a child process (the launcher's JVM flags): its RSS after a warm-up and
     * after {@code fuzz.rssReads} (default 50,000) small reads from a native loop may grow by at
     * most 48 MiB. The long run for docs/fuzzing.md: {@code -Dfuzz.rssReads=1000000}.
     */
    @Test
    void memoryStaysFlatOverALongReadLoop() throws Exception {
        long reads = Long.getLong("fuzz.rssReads", 50_000L);
        Path dir = Files.createTempDirectory(SysfsMount.PREFIX + "rss-");
        Path log = Files.createTempFile("apsysfs-rss-", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms16m", "-Xmx320m", "-Xss512k", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.apsysfs.cli.Main", "run",
                dir.toString(), "--log-file", log.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path bindings = dir.resolve("bus/ap/bindings");
            long deadline = System.currentTimeMillis() + 30_000;
            while (Sys.lstatErrno(bindings) != 0) {
                assertThat(p.isAlive()).as("daemon alive; log: " + tail(log)).isTrue();
                assertThat(System.currentTimeMillis()).as("daemon serving within 30 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            String[] paths = {bindings.toString(), dir.resolve("bus/ap/apmask").toString(),
                dir.resolve("devices/ap/card05/05.0004/reset").toString(), dir.resolve("devices/ap/card04/type").toString()};
            String helper = NativeHelper.get().toString();
            readLoop(helper, 20_000, paths); // warm-up: JIT, heap sized
            long rss0 = rssKb(p.pid());
            long t0 = System.nanoTime();
            readLoop(helper, reads, paths);
            double secs = (System.nanoTime() - t0) / 1e9;
            long rss1 = rssKb(p.pid());
            String figures = String.format("reads %d in %.1f s (%.0f/s): VmRSS %d kB -> %d kB (%+d kB); VmHWM %d kB", reads, secs,
                    reads / secs, rss0, rss1, rss1 - rss0, status(p.pid(), "VmHWM:"));
            System.out.println("[rss] " + figures);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "rss-report.txt"), figures + "\n");
            assertThat(rss1 - rss0).as(figures).isLessThan(48L * 1024);
        } finally {
            p.destroy(); // SIGTERM: the daemon unmounts and exits
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            if (Sys.run("mountpoint", "-q", dir.toString()).exitCode() == 0) {
                Sys.run("fusermount", "-u", "-z", dir.toString());
            }
            Files.deleteIfExists(dir);
            Files.deleteIfExists(log);
        }
    }

    private static void readLoop(String helper, long n, String[] paths) {
        List<String> c = new ArrayList<>(List.of(helper, "read", Long.toString(n)));
        c.addAll(List.of(paths));
        Sys.ProcResult r = Sys.run(c, 30, TimeUnit.MINUTES);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("reads " + n + " failures 0\n");
    }

    private static long rssKb(long pid) throws IOException {
        return status(pid, "VmRSS:");
    }

    private static long status(long pid, String key) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (l.startsWith(key)) {
                return Long.parseLong(l.substring(key.length()).replace("kB", "").strip());
            }
        }
        throw new IOException(key + " not in /proc/" + pid + "/status");
    }

    private static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
