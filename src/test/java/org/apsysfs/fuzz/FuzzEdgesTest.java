package org.apsysfs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing shapes the random run does not cover: many writes through one open file, several
 * writers at once, and a sample of the full machine's files.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FuzzEdgesTest {
    private static final String M = SysfsPaths.MATRIX;

    private static SysfsMount mountPrepared(Daemon d) {
        SysfsMount m = SysfsMount.mount(d.kernel().sysfs(), d, false, false);
        try {
            Fuzzer.prepare(m.path());
        } catch (RuntimeException | AssertionError e) {
            m.close();
            throw e;
        }
        return m;
    }

    private static boolean allowed(String path, int errno) {
        Set<Errno> ok = ErrnoTable.allowed(path);
        return errno == 0 || ok != null && ok.stream().anyMatch(e -> e.userCode() == errno);
    }

    /**
     * 3,000 writes through one open descriptor of each of a few files: every write is its own
     * store (kernfs of->mutex serialises them), each rejected one changes nothing, and the
     * descriptor keeps working after any number of rejections.
     */
    @Test
    void manyWritesThroughOneOpenFile() {
        Daemon d = Daemon.create("default", new ManualClock());
        try (SysfsMount m = mountPrepared(d)) {
            Random r = new Random(11);
            List<String> files = List.of("/" + M + Fuzzer.U2 + "/assign_domain", "/bus/ap/aqmask", "/" + M + Fuzzer.U3 + "/ap_config",
                    "/bus/ap/drivers/vfio_ap/bind", "/kernel/debug/apsysfs/guests/g1/pqap");
            List<String> problems = new ArrayList<>();
            int writes = 0;
            for (String f : files) {
                int fd = Sys.open(m.resolve(f), Sys.O_WRONLY);
                assertThat(fd).as(f).isNotNegative();
                try {
                    TreeSnapshot before = TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED);
                    for (int i = 0; i < 600; i++) {
                        byte[] in = Inputs.next(r, ErrnoTable.kind(f), Fuzzer.names(before));
                        long n = Sys.write(fd, in);
                        writes++;
                        int errno = n < 0 ? (int) -n : 0;
                        TreeSnapshot after = TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED);
                        if (!allowed(f, errno)) {
                            problems.add(f + " <- " + Fuzzer.show(in) + ": " + Sys.errnoName(errno));
                        }
                        if (errno != 0 && before.diff(after) != null) {
                            problems.add(f + " <- " + Fuzzer.show(in) + ": rejected but changed" + before.diff(after));
                        }
                        if (n >= 0 && n != Math.min(in.length, Inputs.PAGE) && n != in.length) {
                            problems.add(f + " <- " + Fuzzer.show(in) + ": wrote " + n);
                        }
                        problems.addAll(Invariants.check(after));
                        before = after;
                    }
                } finally {
                    assertThat(Sys.close(fd)).isZero();
                }
                assertThat(Sys.read(m.resolve("bus/ap/bindings"))).matches("\\d+/\\d+( \\(complete\\))?\n");
            }
            assertThat(writes).isEqualTo(3000);
            assertThat(problems).isEmpty();
            assertThat(d.kernel().log().text()).doesNotContain("internal error");
        }
    }

    /**
     * Six writers at once on the files that share state (masks, assignments, ap_config, driver
     * binding, guests), two of them through one shared descriptor: afterwards every errno was
     * one of the file's, nothing crashed, the invariants hold, the lock validator and the NIB
     * hazard checker saw nothing, and the mount still agrees with the tree.
     */
    @Test
    void concurrentWriters() throws Exception {
        Daemon d = Daemon.create("default", new ManualClock());
        try (SysfsMount m = mountPrepared(d)) {
            List<String> files = new ArrayList<>(List.of("/bus/ap/apmask", "/bus/ap/aqmask", "/bus/ap/drivers/vfio_ap/bind",
                    "/bus/ap/drivers/vfio_ap/unbind", "/bus/ap/drivers/cex4queue/bind", "/bus/ap/drivers/cex4queue/unbind",
                    "/bus/ap/scans", "/kernel/debug/apsysfs/guests/g1/attach", "/kernel/debug/apsysfs/guests/g1/detach",
                    "/kernel/debug/apsysfs/guests/g1/reset", "/kernel/debug/apsysfs/guests/g1/pqap", "/kernel/debug/apsysfs/faults",
                    "/devices/ap/card05/05.0004/reset", "/devices/ap/card05/config", "/devices/ap/card06/online"));
            for (String u : List.of(Fuzzer.U1, Fuzzer.U2, Fuzzer.U3)) {
                for (String a : List.of("assign_adapter", "assign_domain", "unassign_adapter", "unassign_domain",
                        "assign_control_domain", "ap_config")) {
                    files.add("/" + M + u + "/" + a);
                }
            }
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            int shared = Sys.open(m.resolve(M + Fuzzer.U1 + "/assign_domain"), Sys.O_WRONLY);
            assertThat(shared).isNotNegative();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    final int seed = t;
                    fs.add(pool.submit(() -> {
                        Random r = new Random(100 + seed);
                        Inputs.Names names = Fuzzer.names(TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED));
                        int n = 0;
                        for (int i = 0; i < 400; i++) {
                            int errno;
                            String f;
                            byte[] in;
                            if (seed < 2) {
                                f = "/" + M + Fuzzer.U1 + "/assign_domain";
                                in = Inputs.next(r, ErrnoTable.kind(f), names);
                                long w = Sys.write(shared, in);
                                errno = w < 0 ? (int) -w : 0;
                            } else {
                                f = files.get(r.nextInt(files.size()));
                                in = Inputs.next(r, ErrnoTable.kind(f), names);
                                errno = Sys.writeFile(m.resolve(f), in, Sys.O_WRONLY).errno();
                            }
                            if (!allowed(f, errno)) {
                                problems.add(f + " <- " + Fuzzer.show(in) + ": " + Sys.errnoName(errno));
                            }
                            n++;
                        }
                        return n;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : fs) {
                    total += f.get(90, TimeUnit.SECONDS);
                }
                assertThat(total).isEqualTo(2400);
            } finally {
                pool.shutdownNow();
                Sys.close(shared);
            }
            assertThat(problems).isEmpty();
            assertThat(d.kernel().log().text()).doesNotContain("internal error");
            TreeSnapshot s = TreeSnapshot.of(d.kernel().sysfs(), TreeSnapshot.DEFAULT_EXCLUDED);
            assertThat(Invariants.check(s)).isEmpty();
            assertThat(s.diff(TreeSnapshot.ofMount(m.path(), TreeSnapshot.DEFAULT_EXCLUDED))).isNull();
            assertThat(Sys.read(m.resolve("bus/ap/bindings"))).matches("\\d+/\\d+( \\(complete\\))?\n");
        }
    }

    /**
     * The full machine (256 x 256 queues): the fuzzer on a sample of its files (bus files, the
     * driver files, three cards, four queues, the mdevs, the control files), comparing only
     * that sample before and after each write.
     */
    @Test
    void sampleOfTheFullMachine() {
        List<String> roots = new ArrayList<>(List.of("/bus/ap/*", "/devices/ap/card05/*", "/devices/ap/card06/*", "/devices/ap/cardfe/*",
                "/devices/ap/card05/05.0004", "/devices/ap/card05/05.0047", "/devices/ap/card06/06.0005",
                "/devices/ap/cardfe/fe.00ff", "/devices/vfio_ap/matrix/*", "/devices/vfio_ap/matrix/mdev_supported_types",
                "/devices/vfio_ap/matrix/" + Fuzzer.U1, "/devices/vfio_ap/matrix/" + Fuzzer.U2,
                "/devices/vfio_ap/matrix/" + Fuzzer.U3, "/kernel/debug/apsysfs"));
        for (String drv : List.of("cex4card", "cex4queue", "vfio_ap")) {
            for (String f : List.of("bind", "unbind", "uevent")) {
                roots.add("/bus/ap/drivers/" + drv + "/" + f); // not the directories: 65,536 links
            }
        }
        Fuzzer.Config c = new Fuzzer.Config(Long.getLong("fuzz.seed", 5L), Integer.getInteger("fuzz.fullIterations", 150),
                150, 75, 90_000L, "full", roots);
        Fuzzer.Stats s = new Fuzzer(c).run();
        String report = s.report(c);
        System.out.println("[fuzz full] " + report.replace("\n", "\n[fuzz full] "));
        assertThat(s.inputs).isPositive();
        assertThat(s.clean()).as(report).isTrue();
    }
}
