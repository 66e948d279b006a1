package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apsysfs.Daemon;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Qci;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Lockdep;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrency stress through the mount: several threads write mixed operations for a bounded
 * time — assign/unassign, ap_config, apmask/aqmask, bind/unbind, mdev create/remove, guest
 * attach/detach/reset/PQAP, host configuration changes — each syscall watched: a writer that
 * does not come back within {@link #BOUND_MS} fails the test with its stack ("no deadlock,
 * every wait bounded and reported"). Afterwards: no lock-validator report, no NIB hazard, and
 * the invariants (no APQN in two mdevs; guest CRYCB ⊆ shadow ⊆ matrix ∩ host configuration;
 * {@code bindings} agrees with the driver links; queue status agrees with the shadows).
 *
 * <p>Duration: {@code -Dapsysfs.stress.seconds=N} (default 3). Figures go to stdout and
 * {@code target/stress-report.txt}; see docs/stress.md.
 */
@MountedSysfs
@Timeout(value = 30, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedStressTest {
    static final long BOUND_MS = 10_000;
    static final String[] UUIDS = {"11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002",
        "11111111-0000-4000-8000-000000000003", "11111111-0000-4000-8000-000000000004"};
    static final int[] ADAPTERS = {4, 5, 6, 0xb};
    static final int[] DOMAINS = {4, 5, 0x47, 0x54};
    static final String TYPE = SysfsPaths.MDEV_TYPE;
    static final String FAULTS = SysfsPaths.FAULTS;
    /** The longest a fault injected by the operator lasts (well below {@link #BOUND_MS}). */
    static final long FAULT_MS = 2500;

    Path mnt;
    Daemon d;
    final Map<String, AtomicLong> ops = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    volatile boolean stop;

    /** A writer thread and what it is doing right now (for the watchdog). */
    final class Writer extends Thread {
        final Random rnd;
        final String guest;
        volatile String doing = "";
        volatile long since;

        Writer(String name, long seed, String guest) {
            super(name);
            this.rnd = new Random(seed);
            this.guest = guest;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (guest != null) {
                        guestRound(this);
                    } else if (getName().equals("host")) {
                        hostOp(this);
                    } else if (getName().equals("faults")) {
                        faultOp(this);
                    } else {
                        mixedOp(this);
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                if (getName().equals("faults")) {
                    // a fault only clearing ends must not outlive the run: the others wait on it
                    Sys.writeFile(mnt.resolve(FAULTS), "clear all\n");
                }
                doing = "";
            }
        }

        /** One bounded step: counted per type, errors per errno. */
        int step(String type, String rel, String value) {
            doing = type + ": echo '" + value.strip() + "' > " + rel;
            since = System.nanoTime();
            WriteResult r = Sys.writeFile(mnt.resolve(rel), value);
            long took = System.nanoTime() - since;
            since = 0;
            ops.computeIfAbsent(type, k -> new AtomicLong()).incrementAndGet();
            if (type.equals("remove") && r.ok() && took > TimeUnit.MILLISECONDS.toNanos(100)) {
                // vfio_unregister_group_dev waited for the guest that had it open
                ops.computeIfAbsent("remove that waited for its guest", k -> new AtomicLong()).incrementAndGet();
            }
            if (!r.ok()) {
                errors.computeIfAbsent(type + " " + Sys.errnoName(r.errno()), k -> new AtomicLong()).incrementAndGet();
            }
            return r.errno();
        }

        String readStep(String type, String rel) {
            doing = type + ": cat " + rel;
            since = System.nanoTime();
            try {
                return Sys.read(mnt.resolve(rel));
            } catch (RuntimeException e) {
                errors.computeIfAbsent(type + " " + e.getMessage().replaceAll(".*: ", ""), k -> new AtomicLong()).incrementAndGet();
                return "";
            } finally {
                since = 0;
                ops.computeIfAbsent(type, k -> new AtomicLong()).incrementAndGet();
            }
        }

        void direct(String type, Runnable r) {
            doing = type;
            since = System.nanoTime();
            try {
                r.run();
            } catch (KernelException e) {
                errors.computeIfAbsent(type + " " + e.errno().name(), k -> new AtomicLong()).incrementAndGet();
            } finally {
                since = 0;
                ops.computeIfAbsent(type, k -> new AtomicLong()).incrementAndGet();
            }
        }

        <T> T pick(T[] a) {
            return a[rnd.nextInt(a.length)];
        }

        int pick(int[] a) {
            return a[rnd.nextInt(a.length)];
        }

        String apqn() {
            return String.format("%02x.%04x", pick(ADAPTERS), pick(DOMAINS));
        }

        String mask(int[] from) {
            ApMask m = ApMask.empty();
            for (int id : from) {
                if (rnd.nextInt(3) == 0) {
                    m = m.with(id);
                }
            }
            return m.format();
        }
    }

    static String mdev(String u, String file) {
        return "devices/vfio_ap/matrix/" + u + "/" + file;
    }

    void mixedOp(Writer w) {
        String u = w.pick(UUIDS);
        int op = w.rnd.nextInt(100);
        if (op < 16) {
            w.step("assign_adapter", mdev(u, "assign_adapter"), "0x" + Integer.toHexString(w.pick(ADAPTERS)) + "\n");
        } else if (op < 28) {
            w.step("assign_domain", mdev(u, "assign_domain"), "0x" + Integer.toHexString(w.pick(DOMAINS)) + "\n");
        } else if (op < 36) {
            w.step("unassign_adapter", mdev(u, "unassign_adapter"), "0x" + Integer.toHexString(w.pick(ADAPTERS)) + "\n");
        } else if (op < 43) {
            w.step("unassign_domain", mdev(u, "unassign_domain"), "0x" + Integer.toHexString(w.pick(DOMAINS)) + "\n");
        } else if (op < 46) {
            w.step(w.rnd.nextBoolean() ? "assign_control_domain" : "unassign_control_domain",
                    mdev(u, w.rnd.nextBoolean() ? "assign_control_domain" : "unassign_control_domain"), "6\n");
        } else if (op < 52) {
            w.step("ap_config", mdev(u, "ap_config"), w.mask(ADAPTERS) + "," + w.mask(DOMAINS) + "," + w.mask(DOMAINS) + "\n");
        } else if (op < 58) {
            w.step("apmask", "bus/ap/apmask", (w.rnd.nextInt(3) == 0 ? "+" : "-") + w.pick(ADAPTERS) + "\n");
        } else if (op < 62) {
            w.step("aqmask", "bus/ap/aqmask", (w.rnd.nextInt(3) == 0 ? "+" : "-") + w.pick(DOMAINS) + "\n");
        } else if (op < 70) {
            String drv = w.rnd.nextInt(4) == 0 ? "cex4queue" : "vfio_ap";
            String what = w.rnd.nextBoolean() ? "bind" : "unbind";
            w.step(what + " " + drv, "bus/ap/drivers/" + drv + "/" + what, w.apqn() + "\n");
        } else if (op < 75) {
            w.step("create", TYPE + "create", u + "\n");
        } else if (op < 79) {
            w.step("remove", mdev(u, "remove"), "1\n");
        } else if (op < 88) {
            w.readStep("read matrix/guest_matrix", mdev(u, w.rnd.nextBoolean() ? "matrix" : "guest_matrix"));
        } else if (op < 95) {
            String q = w.apqn();
            w.readStep("read queue status", "devices/ap/card" + q.substring(0, 2) + "/" + q + "/status");
        } else {
            w.readStep("read bindings", "bus/ap/bindings");
        }
    }

    void guestRound(Writer w) {
        String g = w.guest;
        String u = w.pick(UUIDS);
        int err = w.step("attach", "kernel/debug/apsysfs/guests/" + g + "/attach", u + "\n");
        int n = 1 + w.rnd.nextInt(4);
        for (int i = 0; i < n && !stop; i++) {
            int op = w.rnd.nextInt(10);
            String q = w.apqn();
            String pq = "kernel/debug/apsysfs/guests/" + g + "/pqap";
            if (op < 3) {
                w.step("pqap aqic enable", pq, "aqic " + q + " enable " + w.rnd.nextInt(8) + " 0x"
                        + Long.toHexString(0x10000L * (1 + w.rnd.nextInt(8)) + 8) + "\n");
            } else if (op < 5) {
                w.step("pqap aqic disable", pq, "aqic " + q + " disable\n");
            } else if (op < 7) {
                w.step("pqap tapq", pq, "tapq " + q + "\n");
            } else if (op < 8) {
                w.step("pqap nqap", pq, "nqap " + q + "\n");
            } else if (op < 9) {
                w.step("vfio reset", "kernel/debug/apsysfs/guests/" + g + "/reset", "1\n");
            } else {
                w.readStep("read guest apqns", "kernel/debug/apsysfs/guests/" + g + "/apqns");
            }
        }
        if (err == 0) {
            w.step("detach", "kernel/debug/apsysfs/guests/" + g + "/detach", u + "\n");
        }
    }

    /**
     * The operator's fault injections (a thread of its own, which nothing else it does can
     * block, as the one who clears a fault from a shell): a reset that takes up to FAULT_MS, or
     * a ZAPQ/TAPQ that answers BUSY until cleared (apq_reset_check then polls for as long,
     * holding up the vfio_ap stores that need its caller's locks, as in the kernel); cleared
     * after up to FAULT_MS, then a pause.
     */
    void faultOp(Writer w) throws InterruptedException {
        String q = w.apqn();
        long ms = 200 + w.rnd.nextInt((int) FAULT_MS - 200);
        int kind = w.rnd.nextInt(3);
        if (kind == 0) {
            w.step("faults: long reset", FAULTS, "reset_delay " + q + " " + ms + "\n");
        } else {
            w.step(kind == 1 ? "faults: zapq BUSY until cleared" : "faults: tapq BUSY until cleared", FAULTS,
                    (kind == 1 ? "zapq " : "tapq ") + q + " BUSY\n");
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!stop && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        w.step("faults: clear", FAULTS, "clear " + q + "\n");
        Thread.sleep(w.rnd.nextInt(1000));
    }

    void hostOp(Writer w) {
        int op = w.rnd.nextInt(10);
        if (op < 3) {
            int a = w.rnd.nextBoolean() ? 5 : 6;
            boolean out = d.hardware().qci().map(q -> q.apm().test(a)).orElse(true);
            w.direct(out ? "host: adapter leaves + rescan" : "host: adapter returns + rescan", () -> {
                if (out) {
                    d.hardware().removeAdapter(a);
                } else {
                    d.hardware().addAdapter(a);
                }
                d.apBus().forceRescan();
            });
        } else if (op < 5) {
            boolean out = d.hardware().qci().map(q -> q.aqm().test(0x54)).orElse(true);
            w.direct(out ? "host: domain leaves + rescan" : "host: domain returns + rescan", () -> {
                if (out) {
                    d.hardware().removeUsageDomain(0x54);
                } else {
                    d.hardware().addUsageDomain(0x54);
                }
                d.apBus().forceRescan();
            });
        } else if (op < 7) {
            w.step("card config", "devices/ap/card04/config", (w.rnd.nextBoolean() ? "0" : "1") + "\n");
        } else {
            w.step("scans", "bus/ap/scans", "1\n");
        }
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void mixedOperationsFromManyThreadsStayBoundedAndConsistent(Path mnt, Daemon d) throws Exception {
        this.mnt = mnt;
        this.d = d;
        int seconds = Integer.getInteger("apsysfs.stress.seconds", 3);
        long seed = Long.getLong("apsysfs.stress.seed", System.nanoTime());
        int lockdepBefore = Lockdep.get().reportCount();
        assertThat(Sys.writeFile(mnt.resolve("bus/ap/apmask"), "-4,-5,-6\n").ok()).isTrue();
        for (String u : UUIDS) {
            assertThat(Sys.writeFile(mnt.resolve(TYPE + "create"), u + "\n").ok()).isTrue();
        }
        for (String g : new String[] {"g1", "g2"}) {
            assertThat(Sys.writeFile(mnt.resolve("kernel/debug/apsysfs/guests/create"), g + "\n").ok()).isTrue();
        }
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writers.add(new Writer("writer-" + i, seed + i, null));
        }
        writers.add(new Writer("guest-g1", seed + 10, "g1"));
        writers.add(new Writer("guest-g2", seed + 11, "g2"));
        writers.add(new Writer("host", seed + 12, null));
        writers.add(new Writer("faults", seed + 13, null));
        long t0 = System.nanoTime();
        writers.forEach(Thread::start);
        String stuck = null;
        try {
            long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end && stuck == null && failures.isEmpty()) {
                Thread.sleep(50);
                stuck = watchdog(writers);
            }
        } finally {
            stop = true;
        }
        // every writer finishes its current step within the bound
        long joinDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS + 2000);
        while (stuck == null && writers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < joinDeadline) {
            Thread.sleep(20);
            stuck = watchdog(writers);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (stuck == null && writers.stream().anyMatch(Thread::isAlive)) {
            stuck = "writers still running after the bound";
        }
        String report = report(seconds, seed, elapsedMs);
        System.out.println(report);
        try {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/stress-report.txt"), report);
        } catch (IOException e) {
            // only the record
        }
        assertThat(stuck).as("a stuck writer\n" + d.kernel().log().text()).isNull();
        if (!failures.isEmpty()) {
            java.io.StringWriter sw = new java.io.StringWriter();
            failures.get(0).printStackTrace(new java.io.PrintWriter(sw));
            throw new AssertionError(failures.size() + " writer(s) failed; the first:\n" + sw);
        }
        assertThat(Lockdep.get().reports().subList(lockdepBefore, Lockdep.get().reportCount())).as("lockdep").isEmpty();
        // (the lockdep_reports file lists the whole JVM's reports, also those other tests provoke)
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/lockdep_reports"))).isEqualTo(Lockdep.get().reportText());
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/hazards"))).as("hazards").isEmpty();
        checkInvariants();
        // every guest lets go; then no pinned page and no GISC registration is left behind by a
        // reset that was never verified
        for (String g : new String[] {"g1", "g2"}) {
            String st = Sys.read(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/status"));
            String m = st.replaceAll("(?s).*mdev: (\\S+).*", "$1");
            if (!m.equals("-")) {
                assertThat(Sys.writeFile(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/detach"), m + "\n").ok()).isTrue();
            }
            assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/apqns"))).isEmpty();
        }
        checkInvariants();
        assertThat(ops.values().stream().mapToLong(AtomicLong::get).sum()).isGreaterThan(0);
        afterRun();
    }

    /** More checks after the run (a subclass's). */
    void afterRun() throws IOException {
    }

    /** The first writer in one step for longer than the bound, with its stack; or null. */
    String watchdog(List<Writer> writers) {
        for (Writer w : writers) {
            long s = w.since;
            if (s != 0 && System.nanoTime() - s > TimeUnit.MILLISECONDS.toNanos(BOUND_MS)) {
                StringBuilder sb = new StringBuilder(w.getName() + " stuck for more than " + BOUND_MS + " ms in " + w.doing + "\n");
                for (StackTraceElement e : w.getStackTrace()) {
                    sb.append("  at ").append(e).append('\n');
                }
                sb.append("lockdep reports:\n").append(Lockdep.get().reportText());
                return sb.toString();
            }
        }
        return null;
    }

    String report(int seconds, long seed, long elapsedMs) {
        StringBuilder sb = new StringBuilder();
        long total = ops.values().stream().mapToLong(AtomicLong::get).sum();
        long errs = errors.values().stream().mapToLong(AtomicLong::get).sum();
        sb.append(String.format("stress: %d s requested, %d ms elapsed, seed %d, %d threads%n", seconds, elapsedMs, seed, 9));
        sb.append(String.format("operations: %d (%.0f/s), failed with an errno: %d%n", total, total * 1000.0 / elapsedMs, errs));
        new TreeMap<>(ops).forEach((k, v) -> sb.append(String.format("  %-32s %7d%n", k, v.get())));
        sb.append("errors by operation and errno:\n");
        new TreeMap<>(errors).forEach((k, v) -> sb.append(String.format("  %-48s %7d%n", k, v.get())));
        Map<String, Long> byErrno = new TreeMap<>();
        errors.forEach((k, v) -> byErrno.merge(k.substring(k.lastIndexOf(' ') + 1), v.get(), Long::sum));
        sb.append("errors by errno: ").append(byErrno).append('\n');
        return sb.toString();
    }

    static Set<String> apqns(String matrixText) {
        Set<String> out = new HashSet<>();
        for (String l : matrixText.split("\n")) {
            if (l.matches("[0-9a-f]{2}\\.[0-9a-f]{4}")) {
                out.add(l);
            }
        }
        return out;
    }

    void checkInvariants() {
        Qci host = d.apBus().qci();
        Map<String, String> owner = new HashMap<>();
        Map<String, Set<String>> shadows = new HashMap<>();
        for (String u : UUIDS) {
            if (Sys.lstatErrno(mnt.resolve("devices/vfio_ap/matrix/" + u)) != 0) {
                continue;
            }
            Set<String> matrix = apqns(Sys.read(mnt.resolve(mdev(u, "matrix"))));
            Set<String> shadow = apqns(Sys.read(mnt.resolve(mdev(u, "guest_matrix"))));
            for (String q : matrix) {
                assertThat(owner.put(q, u)).as("APQN " + q + " in two mdevs").isNull();
            }
            assertThat(matrix).as(u + ": shadow within the matrix").containsAll(shadow);
            for (String q : shadow) {
                int a = Integer.parseInt(q.substring(0, 2), 16);
                int dom = Integer.parseInt(q.substring(3), 16);
                assertThat(host.apm().test(a) && host.aqm().test(dom)).as(u + ": " + q + " of the shadow is in the host configuration").isTrue();
            }
            shadows.put(u, shadow);
        }
        for (String g : new String[] {"g1", "g2"}) {
            String st = Sys.read(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/status"));
            String m = st.replaceAll("(?s).*mdev: (\\S+).*", "$1");
            Set<String> crycb = apqns(Sys.read(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/apqns")));
            if (m.equals("-")) {
                assertThat(crycb).as(g + " without an mdev has an empty CRYCB").isEmpty();
                continue;
            }
            // upstream keeps a domain/adapter the host removed in the guest when it was the last
            // one (vfio_ap_mdev_hot_unplug_cfg); compare what the host still has
            crycb.removeIf(q -> !host.apm().test(Integer.parseInt(q.substring(0, 2), 16))
                    || !host.aqm().test(Integer.parseInt(q.substring(3), 16)));
            assertThat(shadows.getOrDefault(m, Set.of())).as(g + ": CRYCB within the shadow of " + m).containsAll(crycb);
        }
        // bindings agrees with the driver links
        int queues = 0;
        int bound = 0;
        for (String card : Sys.readdir(mnt.resolve("devices/ap"))) {
            if (!card.startsWith("card")) {
                continue;
            }
            for (String q : Sys.readdir(mnt.resolve("devices/ap/" + card))) {
                if (q.matches("[0-9a-f]{2}\\.[0-9a-f]{4}")) {
                    queues++;
                    if (Sys.lstatErrno(mnt.resolve("devices/ap/" + card + "/" + q + "/driver")) == 0) {
                        bound++;
                        String drv = Sys.readlink(mnt.resolve("devices/ap/" + card + "/" + q + "/driver"));
                        String name = drv.substring(drv.lastIndexOf('/') + 1);
                        assertThat(Sys.lstatErrno(mnt.resolve("bus/ap/drivers/" + name + "/" + q))).as(q + " listed by " + name).isZero();
                        if (name.equals("vfio_ap")) {
                            String status = Sys.read(mnt.resolve("devices/ap/" + card + "/" + q + "/status"));
                            String expect = !owner.containsKey(q) ? "unassigned\n"
                                    : isAttached(owner.get(q)) && shadows.get(owner.get(q)).contains(q) ? "in use\n" : "assigned\n";
                            assertThat(status).as(q + " status").isEqualTo(expect);
                        }
                    }
                }
            }
        }
        int links = 0;
        for (String drv : new String[] {"cex4queue", "vfio_ap"}) {
            for (String e : Sys.readdir(mnt.resolve("bus/ap/drivers/" + drv))) {
                if (e.matches("[0-9a-f]{2}\\.[0-9a-f]{4}")) {
                    links++;
                }
            }
        }
        String bindings = Sys.read(mnt.resolve("bus/ap/bindings"));
        assertThat(bindings).startsWith(bound + "/" + queues);
        assertThat(links).isEqualTo(bound);
    }

    boolean isAttached(String uuid) {
        for (String g : new String[] {"g1", "g2"}) {
            String st = Sys.read(mnt.resolve("kernel/debug/apsysfs/guests/" + g + "/status"));
            if (st.contains("mdev: " + uuid + "\n") && st.contains("crycb: yes")) {
                return true;
            }
        }
        return false;
    }
}
