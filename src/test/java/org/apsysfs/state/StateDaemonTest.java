package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.fuzz.TreeSnapshot;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code apsysfs run DIR --state FILE} as a process: restore on start, a save per acknowledged
 * change, SIGKILL at random moments, a corrupt file, a full disk, SIGTERM and fusermount -u.
 */
class StateDaemonTest {
    private static final String TYPE = SysfsPaths.MDEV_TYPE;
    private static final String MATRIX = SysfsPaths.MATRIX;
    private static final String ZERO = "0x" + "0".repeat(64);

    private Path dir;
    private Path work;
    private final List<DaemonProcess> daemons = new ArrayList<>();
    private Path tmpfs;

    @BeforeEach
    void setUp() throws Exception {
        SysfsMount.cleanStaleMounts();
        dir = Files.createTempDirectory(SysfsMount.PREFIX + "state-");
        work = Files.createTempDirectory("apsysfs-statefile-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (DaemonProcess d : daemons) {
            d.close();
        }
        if (tmpfs != null) {
            new ProcessBuilder("umount", "-l", tmpfs.toString()).inheritIO().start().waitFor();
        }
        DaemonProcess.unmountDead(dir);
        Files.deleteIfExists(dir);
        try (var s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private DaemonProcess start(Path state) throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--state", state.toString());
        daemons.add(d);
        assertThat(d.awaitServing()).as("daemon serving; log:\n" + d.log()).isTrue();
        return d;
    }

    private static String masks(int adapter, int domain) {
        return mask(adapter) + "," + mask(domain) + "," + ZERO;
    }

    private static String mask(int bit) {
        char[] hex = "0".repeat(64).toCharArray();
        hex[bit / 4] = "8421".charAt(bit % 4);
        return "0x" + new String(hex);
    }

    /** The mdevs the tree shows: UUID to ap_config. */
    private Map<String, String> mdevs() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.list(dir.resolve(MATRIX))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.matches("[0-9a-f-]{36}")) {
                    out.put(n, Sys.read(p.resolve("ap_config")).strip());
                }
            }
        }
        return out;
    }

    @Test
    void everyAcknowledgedChangeSurvivesSigkillAndNothingIsHalfThere() throws Exception {
        Path state = work.resolve("state.json");
        Random rnd = new Random(Long.getLong("apsysfs.state.seed", 20261121L));
        int rounds = Integer.getInteger("apsysfs.state.rounds", 6);
        Map<String, String> acked = new TreeMap<>();
        Map<String, Integer> domainOf = new java.util.concurrent.ConcurrentHashMap<>();
        int[] created = {0};
        java.util.concurrent.atomic.AtomicInteger ackedWrites = new java.util.concurrent.atomic.AtomicInteger();
        int inFlightSeen = 0;
        DaemonProcess d = start(state);
        assertThat(Sys.writeFile(dir.resolve("bus/ap/apmask"), "-4,-5,-6\n").ok()).isTrue();
        for (int round = 0; round < rounds; round++) {
            // a stream of changes on a writer thread; SIGKILL from here at a random moment
            Map<String, String> before = new TreeMap<>(acked);
            Map<String, String> inFlight = new LinkedHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread writer = new Thread(() -> {
                Random r = new Random(rnd.nextLong());
                while (!stop.get()) {
                    Map<String, String> next = new TreeMap<>(acked);
                    String path;
                    String value;
                    int kind = acked.isEmpty() ? 0 : r.nextInt(3);
                    List<String> have = new ArrayList<>(acked.keySet());
                    if (kind == 0 || acked.size() < 2) {
                        String u = UUID.randomUUID().toString();
                        path = TYPE + "create";
                        value = u + "\n";
                        next.put(u, ZERO + "," + ZERO + "," + ZERO);
                        // each mdev gets its own domain so that no two ever share an APQN
                        domainOf.put(u, 8 + created[0]++ % 70);
                    } else if (kind == 1) {
                        String u = have.get(r.nextInt(have.size()));
                        int dom = domainOf.get(u);
                        String m = masks(4 + r.nextInt(3), dom);
                        path = MATRIX + u + "/ap_config";
                        value = m + "\n";
                        if (next.values().stream().anyMatch(v -> v.equals(m))) {
                            continue;
                        }
                        next.put(u, m);
                    } else {
                        String u = have.get(r.nextInt(have.size()));
                        path = MATRIX + u + "/remove";
                        value = "1\n";
                        next.remove(u);
                    }
                    synchronized (inFlight) {
                        inFlight.clear();
                        inFlight.putAll(next);
                    }
                    WriteResult w = Sys.writeFile(dir.resolve(path), value);
                    if (!w.ok()) {
                        // the daemon died under this write: unacknowledged (anything else is a bug)
                        if (w.errno() != 107 /* ENOTCONN */ && w.errno() != 103 /* ECONNABORTED */) {
                            failures.add(path + " <- " + value.strip() + ": " + w);
                        }
                        return;
                    }
                    synchronized (inFlight) {
                        acked.clear();
                        acked.putAll(next);
                        inFlight.clear();
                    }
                    ackedWrites.incrementAndGet();
                }
            });
            writer.start();
            Thread.sleep(100 + rnd.nextInt(600));
            Map<String, String> ackedAtKill;
            Map<String, String> pending;
            d.process.destroyForcibly();
            d.process.waitFor(10, TimeUnit.SECONDS);
            stop.set(true);
            writer.join(30_000);
            assertThat(writer.isAlive()).as("writer ended").isFalse();
            synchronized (inFlight) {
                ackedAtKill = new TreeMap<>(acked);
                pending = inFlight.isEmpty() ? null : new TreeMap<>(inFlight);
            }
            DaemonProcess.unmountDead(dir);
            assertThat(failures).isEmpty();
            d = start(state);
            Map<String, String> now = mdevs();
            if (pending != null && now.equals(pending)) {
                inFlightSeen++;
                acked.clear();
                acked.putAll(pending);
            } else {
                assertThat(now).as("round %d: the acknowledged mdevs after SIGKILL and restart (before the round: %s)",
                        round, before).isEqualTo(ackedAtKill);
            }
            assertThat(Sys.read(dir.resolve("bus/ap/apmask")).strip()).as("apmask kept")
                    .isEqualTo("0xf1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        }
        assertThat(ackedWrites.get()).as("changes made").isGreaterThan(rounds);
        // the document on disk is always complete JSON
        StateFormat.parse(Files.readString(state), "state");
        System.out.printf("kill/restart: %d rounds (SIGKILL each), %d acknowledged writes; after every restart the mdevs were exactly the acknowledged ones, "
                + "%d mdevs at the end; the write in flight at the kill was found wholly applied %d times, wholly absent "
                + "the other times%n", rounds, ackedWrites.get(), acked.size(), inFlightSeen);
    }

    @Test
    void aCorruptStateFileIsRefusedAndLeftAsItIs() throws Exception {
        Path state = work.resolve("state.json");
        byte[] junk = "{\"format\": \"apsysfs-state\", \"version\": 1, \"machine\": {".getBytes(StandardCharsets.UTF_8);
        Files.write(state, junk);
        DaemonProcess d = DaemonProcess.start(dir, "--state", state.toString());
        daemons.add(d);
        assertThat(d.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isEqualTo(2);
        assertThat(d.log()).contains("state file " + state + " is not usable", "ends early", "left as it is");
        assertThat(Files.readAllBytes(state)).isEqualTo(junk);
        assertThat(FuseMount.isMountPoint(dir)).isFalse();

        Files.writeString(state, "{\"format\": \"apsysfs-state\", \"version\": 1, \"machine\": {}, \"host\": {}, "
                + "\"bus\": {}, \"devices\": {}, \"mdevs\": [], \"guests\": [], \"faults\": []}");
        DaemonProcess d2 = DaemonProcess.start(dir, "--state", state.toString());
        daemons.add(d2);
        assertThat(d2.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(d2.process.exitValue()).isEqualTo(2);
        assertThat(d2.log()).contains("machine.adapters: missing");

        Path asDir = Files.createDirectory(work.resolve("a-directory"));
        DaemonProcess d3 = DaemonProcess.start(dir, "--state", asDir.toString());
        daemons.add(d3);
        assertThat(d3.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(d3.process.exitValue()).isEqualTo(2);
        assertThat(d3.log()).contains("is a directory");

        // 400 MB (sparse) must not exhaust the heap, a FIFO must not block the launcher
        Path big = work.resolve("big.json");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            r.setLength(400L << 20);
        }
        Path fifo = work.resolve("fifo.json");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        for (Path bad : List.of(big, fifo)) {
            DaemonProcess d4 = DaemonProcess.start(dir, "--state", bad.toString());
            daemons.add(d4);
            assertThat(d4.process.waitFor(60, TimeUnit.SECONDS)).as(bad + " ends the launcher").isTrue();
            assertThat(d4.process.exitValue()).as(d4.log()).isEqualTo(2);
            assertThat(d4.log()).contains("state file " + bad + " is not usable", "left as it is");
            assertThat(FuseMount.isMountPoint(dir)).isFalse();
        }
        assertThat(Files.size(big)).isEqualTo(400L << 20);
        assertThat(Files.isRegularFile(fifo)).isFalse();
    }

    @Test
    void fusermountAndSigtermEndTheDaemonWithTheStateSaved() throws Exception {
        Path state = work.resolve("s.json");
        DaemonProcess d = start(state);
        String u = UUID.randomUUID().toString();
        assertThat(Sys.writeFile(dir.resolve(TYPE + "create"), u + "\n").ok()).isTrue();
        assertThat(d.unmountAndWait()).isZero();
        assertThat(Files.readString(state)).contains(u);

        d = start(state);
        assertThat(mdevs()).containsOnlyKeys(u);
        assertThat(Sys.writeFile(dir.resolve(MATRIX + u + "/remove"), "1\n").ok()).isTrue();
        d.process.destroy(); // SIGTERM
        assertThat(d.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isZero();
        assertThat(FuseMount.isMountPoint(dir)).isFalse();
        assertThat(Files.readString(state)).doesNotContain(u);
    }

    @Test
    void aFullDiskFailsTheStoreWithEnospcAndChangesNothing() throws Exception {
        tmpfs = Files.createDirectory(work.resolve("small"));
        int rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", tmpfs.toString()).inheritIO()
                .start().waitFor();
        assertThat(rc).as("mount a small tmpfs (needs root)").isZero();
        Path state = tmpfs.resolve("state.json");
        start(state);
        assertThat(Sys.writeFile(dir.resolve("bus/ap/apmask"), "-4\n").ok()).isTrue();
        String u = UUID.randomUUID().toString();
        assertThat(Sys.writeFile(dir.resolve(TYPE + "create"), u + "\n").ok()).isTrue();
        String saved = Files.readString(state);
        // fill the disk
        Path fill = tmpfs.resolve("fill");
        new ProcessBuilder("dd", "if=/dev/zero", "of=" + fill, "bs=4096").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        TreeSnapshot before = TreeSnapshot.ofMount(dir, StateRoundTripTest.NOT_STATE);

        WriteResult w = Sys.writeFile(dir.resolve(MATRIX + u + "/ap_config"), masks(4, 4) + "\n");
        assertThat(w.errno()).as("write on a full disk: " + w).isEqualTo(28 /* ENOSPC */);
        WriteResult c = Sys.writeFile(dir.resolve(TYPE + "create"), UUID.randomUUID() + "\n");
        assertThat(c.errno()).isEqualTo(28);
        TreeSnapshot after = TreeSnapshot.ofMount(dir, StateRoundTripTest.NOT_STATE);
        assertThat(before.diff(after)).as("tree after the refused writes").isNull();
        assertThat(Files.readString(state)).isEqualTo(saved);
        assertThat(Sys.read(dir.resolve("kernel/debug/apsysfs/dmesg"))).contains("cannot save", "was undone");

        Files.delete(fill);
        assertThat(Sys.writeFile(dir.resolve(MATRIX + u + "/ap_config"), masks(4, 4) + "\n").ok()).isTrue();
        assertThat(Files.readString(state)).contains("\"0x04\"");
    }
}
