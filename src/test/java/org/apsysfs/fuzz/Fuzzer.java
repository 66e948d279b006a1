package org.apsysfs.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysException;
import org.apsysfs.testing.SysfsMount;
import org.apsysfs.testing.WriteResult;

/**
 * Fuzzes every writable file of a mounted machine through the mount, round by round: each
 * round boots a fresh default machine (manual clock, so nothing moves unless written to),
 * mounts it, prepares a state where stores have something to act on, and then makes random
 * writes. After every write the oracle checks:
 *
 * <ul>
 * <li>the daemon still answers (a read of {@code bus/ap/bindings} through the mount);</li>
 * <li>no internal error was logged (an unexpected Java exception in a store = a crash);</li>
 * <li>a failed write failed with an errno of the file's set ({@link ErrnoTable});</li>
 * <li>a failed write changed nothing observable: the whole tree ({@link TreeSnapshot}) before
 *     and after is identical, and no uevent was sent;</li>
 * <li>the invariants hold ({@link Invariants}).</li>
 * </ul>
 *
 * At checkpoints the tree read through the mount must equal the in-process snapshot.
 */
final class Fuzzer {
    static final Pattern QUEUE = Pattern.compile("[0-9a-f]{2}\\.[0-9a-f]{4}");
    static final Pattern CARD = Pattern.compile("card[0-9a-f]{2}");
    static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static final String U1 = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String U2 = "0c2b4a1e-8e53-4a04-9d3e-1f6a4c7f2b10";
    static final String U3 = "a3f0c9b2-5d1e-4c8a-b7e6-2f9d0e1c3b4a";
    static final String TYPE = SysfsPaths.MDEV_TYPE;
    static final String GUESTS = SysfsPaths.GUESTS;

    /** Settings of one run. */
    record Config(long seed, int iterations, int writesPerRound, int checkpointEvery, long maxMillis, String machine,
            List<String> roots, int jobs) {
        /** The default machine, the whole tree, one round at a time. */
        Config(long seed, int iterations, int writesPerRound, int checkpointEvery, long maxMillis) {
            this(seed, iterations, writesPerRound, checkpointEvery, maxMillis, "default", null, 1);
        }

        /** One round at a time. */
        Config(long seed, int iterations, int writesPerRound, int checkpointEvery, long maxMillis, String machine,
                List<String> roots) {
            this(seed, iterations, writesPerRound, checkpointEvery, maxMillis, machine, roots, 1);
        }

        /** The same with {@code jobs} rounds (each its own machine and mount) running at once. */
        Config withJobs(int jobs) {
            return new Config(seed, iterations, writesPerRound, checkpointEvery, maxMillis, machine, roots, jobs);
        }
    }

    /** One thing the oracle objected to. */
    record Finding(String what, String path, String input, String detail) {
        @Override
        public String toString() {
            return what + ": " + path + " <- " + input + (detail == null ? "" : " (" + detail + ")");
        }
    }

    /** The figures of a run. */
    static final class Stats {
        long inputs;
        long succeeded;
        long rejected;
        long crashes;
        long daemonDown;
        long unexpectedErrno;
        long stateChangedOnRejection;
        /** Rejections that left part of their work done where the kernel does too ({@link ErrnoTable#partial}). */
        long partialOnRejection;
        long ueventOnRejection;
        long invariantBreaks;
        long mountMismatches;
        long untabled;
        long mispredicted;
        long predicted;
        long blocked;
        long unstable;
        long warnings;
        long rounds;
        long checkpoints;
        long millis;
        long setupMillis;
        boolean timeCapHit;
        final Map<String, Long> errnos = new TreeMap<>();
        final Map<String, long[]> perKind = new TreeMap<>();
        final List<Finding> findings = new ArrayList<>();
        final Map<String, Integer> findingKeys = new LinkedHashMap<>();

        /** Adds the figures of {@code o} (a later round) to these. */
        void add(Stats o) {
            inputs += o.inputs;
            succeeded += o.succeeded;
            rejected += o.rejected;
            crashes += o.crashes;
            daemonDown += o.daemonDown;
            unexpectedErrno += o.unexpectedErrno;
            stateChangedOnRejection += o.stateChangedOnRejection;
            partialOnRejection += o.partialOnRejection;
            ueventOnRejection += o.ueventOnRejection;
            invariantBreaks += o.invariantBreaks;
            mountMismatches += o.mountMismatches;
            untabled += o.untabled;
            mispredicted += o.mispredicted;
            predicted += o.predicted;
            blocked += o.blocked;
            unstable += o.unstable;
            warnings += o.warnings;
            rounds += o.rounds;
            checkpoints += o.checkpoints;
            setupMillis += o.setupMillis;
            timeCapHit |= o.timeCapHit;
            o.errnos.forEach((k, v) -> errnos.merge(k, v, Long::sum));
            o.perKind.forEach((k, v) -> {
                long[] a = perKind.computeIfAbsent(k, x -> new long[3]);
                for (int i = 0; i < 3; i++) {
                    a[i] += v[i];
                }
            });
            // the examples: at most three per kind of finding, in round order
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (Finding f : o.findings) {
                String key = f.what() + " " + ErrnoTable.kind(f.path());
                seen.merge(key, 1, Integer::sum);
                if (findingKeys.getOrDefault(key, 0) + seen.get(key) <= 3 && findings.size() < 200) {
                    findings.add(f);
                }
            }
            o.findingKeys.forEach((k, v) -> findingKeys.merge(k, v, Integer::sum));
        }

        void find(Finding f) {
            String key = f.what() + " " + ErrnoTable.kind(f.path());
            int n = findingKeys.merge(key, 1, Integer::sum);
            if (n <= 3 && findings.size() < 200) {
                findings.add(f);
            }
        }

        boolean clean() {
            return crashes == 0 && daemonDown == 0 && unexpectedErrno == 0 && stateChangedOnRejection == 0
                    && ueventOnRejection == 0 && invariantBreaks == 0 && mountMismatches == 0 && mispredicted == 0;
        }

        String report(Config c) {
            StringBuilder sb = new StringBuilder();
            sb.append("machine ").append(c.machine()).append(c.roots() == null ? ", whole tree" : ", sampled files")
                    .append('\n');
            sb.append(String.format("seed %d, %d inputs in %d rounds (%d at a time), %.1f s, %.0f writes/min%s%n", c.seed(),
                    inputs, rounds, Math.max(1, c.jobs()), millis / 1000.0, millis == 0 ? 0.0 : inputs * 60_000.0 / millis,
                    timeCapHit ? " (time cap hit)" : ""));
            sb.append(String.format("succeeded %d, rejected %d; booting, mounting and preparing took %.1f s of it%n", succeeded,
                    rejected, setupMillis / 1000.0));
            sb.append(String.format("crashes (internal errors) %d, daemon down %d, errno outside the table %d%n", crashes,
                    daemonDown, unexpectedErrno));
            sb.append(String.format("state changed on rejection %d, uevent on rejection %d, invariant breaks %d%n",
                    stateChangedOnRejection, ueventOnRejection, invariantBreaks));
            sb.append(String.format("rejections that left part of their work done, as the kernel's do %d%n",
                    partialOnRejection));
            sb.append(String.format("outcome differs from the spec's parser rules %d (of %d predicted)%n", mispredicted,
                    predicted));
            sb.append(String.format("mount/in-process mismatches %d (%d checkpoints), blocked writes released %d, "
                    + "writes to files not in the table %d, unstable after success %d, kernel WARNs %d%n", mountMismatches,
                    checkpoints, blocked, untabled, unstable, warnings));
            sb.append("errno histogram:");
            errnos.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            sb.append('\n');
            sb.append("per kind (inputs ok rejected):\n");
            perKind.forEach((k, v) -> sb.append(String.format("  %-90s %6d %6d %6d%n", k, v[0], v[1], v[2])));
            if (!findingKeys.isEmpty()) {
                sb.append("findings (kind: count):\n");
                findingKeys.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
                sb.append("examples:\n");
                for (Finding f : findings) {
                    sb.append("  ").append(f).append('\n');
                }
            }
            return sb.toString();
        }
    }

    private final Config config;
    private final Stats stats = new Stats();
    private final Predicate<String> excluded = TreeSnapshot.DEFAULT_EXCLUDED;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-writer");
        t.setDaemon(true);
        return t;
    });

    Fuzzer(Config config) {
        this.config = config;
    }

    /**
     * Runs every round ({@code iterations / writesPerRound} of them, each with its own seed
     * {@code seed * 1000003 + round}, its own machine and mount), {@code jobs} at a time, and
     * adds up their figures in round order: the same seed gives the same inputs whatever the
     * number of jobs.
     */
    Stats run() {
        long start = System.currentTimeMillis();
        int rounds = (int) ((config.iterations() + config.writesPerRound() - 1L) / config.writesPerRound());
        int jobs = Math.max(1, Math.min(config.jobs(), rounds));
        Stats[] per = new Stats[rounds];
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "fuzz-round");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                int round = i;
                int n = (int) Math.min(config.writesPerRound(), config.iterations() - (long) round * config.writesPerRound());
                done.add(pool.submit(() -> {
                    Fuzzer f = new Fuzzer(config);
                    try {
                        if (System.currentTimeMillis() - start > config.maxMillis()) {
                            f.stats.timeCapHit = true;
                        } else {
                            f.round(new Random(config.seed() * 1_000_003L + round), n, start);
                            f.stats.rounds++;
                        }
                    } finally {
                        f.writer.shutdownNow();
                        per[round] = f.stats;
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new AssertionError(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
            for (Stats s : per) {
                if (s != null) {
                    stats.add(s);
                }
            }
            stats.millis = System.currentTimeMillis() - start;
        }
        return stats;
    }

    /** Writes through the mount the preparation needs; fails loudly if one is refused. */
    static void must(Path mnt, String rel, String value) {
        WriteResult w = Sys.writeFile(mnt.resolve(rel), value);
        if (!w.ok()) {
            throw new AssertionError("preparing the fuzzing state: " + rel + " <- " + value.strip() + ": " + w);
        }
    }

    /**
     * The state the fuzzer starts from: adapters 5 and 6 and domain 0x54 freed for vfio_ap,
     * three mdevs with assignments (one with a control domain), guest g1 running U1 and guest g2
     * without a crypto control block.
     */
    static void prepare(Path mnt) {
        must(mnt, "bus/ap/apmask", "-5,-6\n");
        must(mnt, "bus/ap/aqmask", "-0x54\n");
        for (String u : List.of(U1, U2, U3)) {
            must(mnt, TYPE + "create", u + "\n");
        }
        String m = "devices/vfio_ap/matrix/";
        must(mnt, m + U1 + "/assign_adapter", "5\n");
        must(mnt, m + U1 + "/assign_domain", "4\n");
        must(mnt, m + U1 + "/assign_domain", "0x47\n");
        must(mnt, m + U1 + "/assign_control_domain", "4\n");
        must(mnt, m + U2 + "/assign_adapter", "6\n");
        must(mnt, m + U2 + "/assign_domain", "5\n");
        must(mnt, m + U3 + "/assign_domain", "0x54\n");
        must(mnt, m + U3 + "/assign_adapter", "4\n");
        must(mnt, GUESTS + "create", "g1\n");
        must(mnt, GUESTS + "create", "g2 nocrycb\n");
        must(mnt, GUESTS + "g1/attach", U1 + "\n");
    }

    private void round(Random r, int writes, long start) {
        long t0 = System.currentTimeMillis();
        Daemon d = Daemon.create(config.machine(), new ManualClock());
        try (SysfsMount m = SysfsMount.mount(d.kernel().sysfs(), d, false, false)) {
            Path mnt = m.path();
            prepare(mnt);
            stats.setupMillis += System.currentTimeMillis() - t0;
            TreeSnapshot before = snapshot(d);
            checkpoint(mnt, before, "after preparing");
            List<String> broken = Invariants.check(before);
            if (!broken.isEmpty()) {
                throw new AssertionError("invariants broken right after preparing: " + broken);
            }
            for (int i = 0; i < writes; i++) {
                if (System.currentTimeMillis() - start > config.maxMillis()) {
                    stats.timeCapHit = true;
                    break;
                }
                before = step(r, d, mnt, before);
                if (before == null) {
                    return; // daemon down: nothing more to learn from this round
                }
                if (config.checkpointEvery() > 0 && (i + 1) % config.checkpointEvery() == 0) {
                    checkpoint(mnt, before, "after write " + (i + 1));
                }
            }
            checkpoint(mnt, before, "at the end of the round");
        }
    }

    private void checkpoint(Path mnt, TreeSnapshot inProcess, String when) {
        stats.checkpoints++;
        TreeSnapshot viaMount = TreeSnapshot.ofMount(mnt, excluded, config.roots());
        String diff = inProcess.diff(viaMount);
        if (diff != null) {
            stats.mountMismatches++;
            stats.find(new Finding("mount differs from in-process tree", "/", when, diff));
        }
    }

    static Inputs.Names names(TreeSnapshot s) {
        java.util.Set<String> queues = new java.util.TreeSet<>();
        java.util.Set<String> cards = new java.util.TreeSet<>();
        java.util.Set<String> mdevs = new java.util.TreeSet<>();
        java.util.Set<String> guests = new java.util.TreeSet<>();
        String gdir = "/kernel/debug/apsysfs/guests/";
        for (String k : s.entries.keySet()) {
            // the segments of k, without a regex or an array per key (this runs for every
            // entry after every write)
            int start = 1;
            while (start <= k.length()) {
                int end = k.indexOf('/', start);
                if (end < 0) {
                    end = k.length();
                }
                int len = end - start;
                if (len == 7 && isQueue(k, start)) {
                    queues.add(k.substring(start, end));
                } else if (len == 6 && isCard(k, start)) {
                    cards.add(k.substring(start, end));
                } else if (len == 36 && isUuid(k, start) && k.startsWith("/devices/vfio_ap/matrix/")) {
                    mdevs.add(k.substring(start, end));
                }
                start = end + 1;
            }
            if (k.startsWith(gdir)) {
                int a = gdir.length();
                int b = k.indexOf('/', a);
                if (b > a && s.entries.getOrDefault(k.substring(0, b), "").startsWith("D ")) {
                    guests.add(k.substring(a, b));
                }
            }
        }
        return new Inputs.Names(new ArrayList<>(queues), new ArrayList<>(cards), new ArrayList<>(mdevs),
                new ArrayList<>(guests), intOr(s.content("/bus/ap/ap_max_adapter_id"), 255),
                intOr(s.content("/bus/ap/ap_max_domain_id"), 84));
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    private static boolean hexRun(String k, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!hex(k.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@link #QUEUE} at k[i..i+7). */
    private static boolean isQueue(String k, int i) {
        return k.charAt(i + 2) == '.' && hexRun(k, i, 2) && hexRun(k, i + 3, 4);
    }

    /** {@link #CARD} at k[i..i+6). */
    private static boolean isCard(String k, int i) {
        return k.startsWith("card", i) && hexRun(k, i + 4, 2);
    }

    /** {@link #UUID} at k[i..i+36). */
    private static boolean isUuid(String k, int i) {
        return k.charAt(i + 8) == '-' && k.charAt(i + 13) == '-' && k.charAt(i + 18) == '-' && k.charAt(i + 23) == '-'
                && hexRun(k, i, 8) && hexRun(k, i + 9, 4) && hexRun(k, i + 14, 4) && hexRun(k, i + 19, 4)
                && hexRun(k, i + 24, 12);
    }

    private static int intOr(String s, int dflt) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static final String REBOOT = "/" + SysfsPaths.DEBUG + "reboot";
    /**
     * Not fuzzed: an accepted write attaches the simulated devtmpfs to the /dev of the process
     * with that PID (any process of the machine in a mount namespace of its own, another test's
     * included) and makes device nodes there; its refusals are checked by its own tests.
     */
    static final String DEVTMPFS = "/" + SysfsPaths.DEBUG + "devtmpfs";

    /** Picks a kind of file uniformly, then one file of that kind. */
    static String target(Random r, List<String> writable) {
        Map<String, List<String>> byKind = new TreeMap<>();
        for (String p : writable) {
            if (p.equals(REBOOT) || p.equals(DEVTMPFS)) {
                // an accepted reboot boots a fresh kernel by design (every mdev and guest the
                // round prepared is gone); its refusals are checked by the live-system tests
                continue;
            }
            byKind.computeIfAbsent(ErrnoTable.kind(p), k -> new ArrayList<>()).add(p);
        }
        List<List<String>> kinds = new ArrayList<>(byKind.values());
        List<String> files = kinds.get(r.nextInt(kinds.size()));
        return files.get(r.nextInt(files.size()));
    }

    static String show(byte[] input) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(input.length, 60);
        for (int i = 0; i < n; i++) {
            int b = input[i] & 0xff;
            if (b == '\n') {
                sb.append("\\n");
            } else if (b == '\r') {
                sb.append("\\r");
            } else if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b < 0x20 || b >= 0x7f) {
                sb.append(String.format("\\x%02x", b));
            } else {
                sb.append((char) b);
            }
        }
        sb.append('"');
        if (input.length > n) {
            sb.append("...(").append(input.length).append(" bytes)");
        }
        return sb.toString();
    }

    /** One write and its checks; returns the snapshot after it (null if the daemon is down). */
    private TreeSnapshot step(Random r, Daemon d, Path mnt, TreeSnapshot before) {
        String path = target(r, before.writable());
        String kind = ErrnoTable.kind(path);
        byte[] input = Inputs.next(r, kind, before.names());
        int flags = r.nextInt(4) == 0 ? Sys.O_SHELL_WRITE : Sys.O_WRONLY;
        long logSeq = d.kernel().log().sequence();
        long ueventSeq = d.kernel().uevents().lastSeqnum();

        long blockedBefore = stats.blocked;
        WriteResult w = write(d, mnt, path, input, flags);
        boolean released = stats.blocked != blockedBefore;
        stats.inputs++;
        long[] pk = stats.perKind.computeIfAbsent(kind, k -> new long[3]);
        pk[0]++;
        String in = show(input);

        // the daemon is up: a FUSE daemon that died answers every request, this write's
        // included, with ENOTCONN (and ECONNABORTED once the connection is aborted); the
        // checkpoints read the whole tree through the mount as well
        if (w.errno() == 107 || w.errno() == 103) {
            stats.daemonDown++;
            stats.find(new Finding("daemon down", path, in, Sys.errnoName(w.errno())));
            return null;
        }
        // no internal error, count WARNs
        for (String line : newLogLines(d, logSeq)) {
            if (line.contains("apsysfs: internal error")) {
                stats.crashes++;
                stats.find(new Finding("internal error", path, in, line.substring(line.indexOf(']') + 2)));
            }
            if (line.contains("[ cut here ]")) {
                stats.warnings++;
            }
        }
        TreeSnapshot after = snapshot(d);
        int errno = w.errno();
        Inputs.Names nm = before.names();
        Set<Integer> predicted = w.openErrno() != 0 ? null : Expectations.outcomes(kind, input, nm.maxAdapter(), nm.maxDomain());
        if (predicted != null) {
            stats.predicted++;
            if (!predicted.contains(errno)) {
                stats.mispredicted++;
                stats.find(new Finding("outcome differs from the spec", path, in,
                        Sys.errnoName(errno) + ", expected one of " + predicted.stream().map(Sys::errnoName).toList()));
            }
        }
        if (errno != 0) {
            stats.rejected++;
            pk[2]++;
            String name = Sys.errnoName(errno);
            stats.errnos.merge(name, 1L, Long::sum);
            Set<Errno> allowed = ErrnoTable.allowed(path);
            if (allowed == null) {
                stats.untabled++;
            } else if (allowed.stream().noneMatch(e -> e.userCode() == errno)) {
                stats.unexpectedErrno++;
                stats.find(new Finding("errno outside the table", path, in, name + (w.openErrno() != 0 ? " at open" : "")));
            }
            // a write the fuzzer released by detaching the guests changed the state itself
            String diff = released ? null : before.diff(after);
            Errno refusal = java.util.Arrays.stream(Errno.values()).filter(x -> x.userCode() == errno).findFirst().orElse(null);
            if (diff != null && refusal != null && ErrnoTable.partial(path, refusal) != null) {
                stats.partialOnRejection++;
            } else if (diff != null) {
                stats.stateChangedOnRejection++;
                stats.find(new Finding("state changed on rejection", path, in, name + diff));
            }
            if (!released && d.kernel().uevents().lastSeqnum() != ueventSeq) {
                stats.ueventOnRejection++;
                stats.find(new Finding("uevent on rejection", path, in, name));
            }
        } else {
            stats.succeeded++;
            pk[1]++;
            stats.errnos.merge("success", 1L, Long::sum);
            long expect = Math.min(input.length, Inputs.PAGE);
            if (w.written() != expect && w.written() != input.length) {
                stats.find(new Finding("odd byte count", path, in, "wrote " + w.written()));
            }
            // reads may consume count-limited faults: settle before comparing the next write
            // (nothing else changes on a read: without injected faults one snapshot is enough)
            boolean faults = !after.content("/" + SysfsPaths.FAULTS).isEmpty();
            for (int i = 0; faults && i < 4; i++) {
                TreeSnapshot again = snapshot(d);
                if (again.equals(after)) {
                    break;
                }
                stats.unstable++;
                after = again;
            }
        }
        for (String b : Invariants.check(after)) {
            stats.invariantBreaks++;
            stats.find(new Finding("invariant broken", path, in, (errno == 0 ? "success" : Sys.errnoName(errno)) + ": " + b));
        }
        return after;
    }

    private TreeSnapshot snapshot(Daemon d) {
        return TreeSnapshot.of(d.kernel().sysfs(), excluded, config.roots());
    }

    private static List<String> newLogLines(Daemon d, long seq) {
        long n = d.kernel().log().sequence() - seq;
        List<String> lines = d.kernel().log().lines();
        if (n <= 0) {
            return List.of();
        }
        return lines.subList((int) Math.max(0, lines.size() - n), lines.size());
    }

    /**
     * The write, on a worker thread: a store that blocks is released after a second as an
     * operator and a VMM would release it: every injected fault is cleared first (a ZAPQ or
     * TAPQ that answers BUSY until cleared keeps a queue reset waiting for ever, as
     * {@code apq_reset_check} in vfio_ap_ops.c has no retry limit, and a guest's detach
     * resets its queues too), then every guest is detached (removing an mdev a guest holds
     * open waits for the VMM).
     */
    private WriteResult write(Daemon d, Path mnt, String path, byte[] input, int flags) {
        Future<WriteResult> f = writer.submit(() -> Sys.writeFile(mnt.resolve(path.substring(1)), input, flags));
        try {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                stats.blocked++;
                releaseGuests(mnt);
                return f.get(20, TimeUnit.SECONDS);
            }
        } catch (TimeoutException e) {
            throw new AssertionError("a write to " + path + " of " + show(input) + " blocks even after every guest let go");
        } catch (Exception e) {
            throw new AssertionError("write to " + path + " failed: " + e, e);
        }
    }

    static void releaseGuests(Path mnt) {
        Sys.writeFile(mnt.resolve(SysfsPaths.FAULTS), "clear all\n");
        for (String g : Sys.readdir(mnt.resolve(GUESTS))) {
            Path status = mnt.resolve(GUESTS + g + "/status");
            if (g.startsWith(".") || Sys.lstatErrno(status) != 0) {
                continue;
            }
            for (String line : Sys.read(status).split("\n")) {
                // "mdev: -", "mdev: U" or, for a guest without a CRYCB, "mdev: U1 U2 ..."
                if (line.startsWith("mdev: ") && !line.equals("mdev: -")) {
                    for (String u : line.substring(6).trim().split(" +")) {
                        Sys.writeFile(mnt.resolve(GUESTS + g + "/detach"), u + "\n");
                    }
                }
            }
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
