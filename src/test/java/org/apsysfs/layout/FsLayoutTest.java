package org.apsysfs.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.apsysfs.layout.FsLayout.Card;
import org.apsysfs.layout.FsLayout.Entry;
import org.apsysfs.layout.FsLayout.Mdev;
import org.apsysfs.layout.FsLayout.Queue;
import org.apsysfs.layout.FsLayout.State;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Stat;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mounted default machine, walked without following links, is exactly what
 * {@code fs-layout/} describes, in several states: fresh; queues moved to vfio_ap; mdevs with
 * assignments and a queue unbound; a guest attached.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FsLayoutTest {
    static final Path LAYOUT = Path.of(System.getProperty("user.dir")).resolve("fs-layout");
    static final List<String> ADAPTERS = List.of("04", "05", "06", "0b");
    static final Map<String, String> MODES = Map.of("04", "cca", "05", "cca", "06", "accel", "0b", "ep11");
    static final List<String> DOMAINS = List.of("0004", "0005", "0047", "0054");
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String V = "a9b37d2e-05c8-4c3e-9a41-6d1f0b2c7e55";

    @Test
    void fresh(Path mnt) throws Exception {
        check(mnt, state((a, d) -> "cex4queue", List.of(), List.of()));
    }

    @Test
    void queuesMovedToVfioAp(Path mnt) throws Exception {
        moveQueues(mnt);
        check(mnt, state(FsLayoutTest::movedDriver, List.of(), List.of()));
    }

    @Test
    void mdevsWithAssignmentsAndAnUnboundQueue(Path mnt) throws Exception {
        moveQueues(mnt);
        mdevs(mnt);
        check(mnt, state(FsLayoutTest::unboundDriver, List.of(new Mdev(U, 0), new Mdev(V, 1)), List.of()));
    }

    @Test
    void guestAttached(Path mnt) throws Exception {
        moveQueues(mnt);
        mdevs(mnt);
        write(mnt, "kernel/debug/apsysfs/guests/create", "g1");
        write(mnt, "kernel/debug/apsysfs/guests/create", "g2");
        write(mnt, "kernel/debug/apsysfs/guests/g1/attach", U);
        assertThat(Sys.read(mnt.resolve("devices/ap/card05/05.0004/status"))).isEqualTo("in use\n");
        check(mnt, state(FsLayoutTest::unboundDriver, List.of(new Mdev(U, 0), new Mdev(V, 1)), List.of("g1", "g2")));
    }

    @Test
    void zcryptNodesCreated(Path mnt) throws Exception {
        // zcdn_create (zcrypt_api.c): an empty name takes "zcrypt_<minor>" with the first free
        // minor; a named node takes the next one
        write(mnt, "class/zcrypt/create", "\n");
        write(mnt, "class/zcrypt/create", "kube_pod1");
        State s = state((a, d) -> "cex4queue", List.of(), List.of());
        check(mnt, new State(s.cards(), s.queues(), s.mdevs(), s.guests(),
                List.of(new FsLayout.Node("zcrypt_0", 0), new FsLayout.Node("kube_pod1", 1))));
    }

    // ------------------------------------------------------------------ states

    static void moveQueues(Path mnt) {
        write(mnt, "bus/ap/apmask", "-5,-6");
        write(mnt, "bus/ap/aqmask", "-0x54");
    }

    static String movedDriver(String aa, String dddd) {
        return aa.equals("05") || aa.equals("06") || dddd.equals("0054") ? "vfio_ap" : "cex4queue";
    }

    static String unboundDriver(String aa, String dddd) {
        return aa.equals("06") && dddd.equals("0005") ? "none" : movedDriver(aa, dddd);
    }

    static void mdevs(Path mnt) {
        String type = "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create";
        write(mnt, type, U);
        write(mnt, type, V);
        String m = "devices/vfio_ap/matrix/" + U + "/";
        write(mnt, m + "assign_adapter", "5");
        write(mnt, m + "assign_domain", "4");
        write(mnt, m + "assign_domain", "0x47");
        write(mnt, m + "assign_control_domain", "0x47");
        String n = "devices/vfio_ap/matrix/" + V + "/";
        write(mnt, n + "assign_adapter", "6");
        write(mnt, n + "assign_domain", "5");
        write(mnt, "bus/ap/drivers/vfio_ap/unbind", "06.0005");
    }

    static State state(BiFunction<String, String, String> driver, List<Mdev> mdevs, List<String> guests) {
        List<Card> cards = new ArrayList<>();
        List<Queue> queues = new ArrayList<>();
        for (String a : ADAPTERS) {
            cards.add(new Card(a, MODES.get(a)));
            for (String d : DOMAINS) {
                queues.add(new Queue(a, d, MODES.get(a), driver.apply(a, d)));
            }
        }
        return new State(cards, queues, mdevs, guests);
    }

    static void write(Path mnt, String rel, String value) {
        assertThat(Sys.writeFile(mnt.resolve(rel), value).errno()).as("echo " + value + " > " + rel).isZero();
    }

    // ------------------------------------------------------------------ comparison

    static void check(Path mnt, State state) throws Exception {
        Map<String, Entry> expected = FsLayout.expand(FsLayout.load(LAYOUT), state);
        Map<String, Entry> actual = new TreeMap<>();
        walk(mnt, "", actual);
        Set<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Entry> e : expected.entrySet()) {
            Entry a = actual.get(e.getKey());
            if (a != null && !a.equals(e.getValue())) {
                wrong.add(e.getKey() + ": fs-layout says " + e.getValue() + ", the tree has " + a);
            }
        }
        StringBuilder report = new StringBuilder();
        missing.forEach(p -> report.append("missing: ").append(p).append(" (").append(expected.get(p)).append(")\n"));
        extra.forEach(p -> report.append("extra:   ").append(p).append(" (").append(actual.get(p)).append(")\n"));
        wrong.forEach(w -> report.append("wrong:   ").append(w).append('\n'));
        assertThat(report.toString()).as("the tree against fs-layout/ (" + expected.size() + " paths expected, "
                + actual.size() + " found)").isEmpty();
    }

    /** Every path below {@code root}, links not followed. */
    static void walk(Path root, String rel, Map<String, Entry> out) {
        Path dir = rel.isEmpty() ? root : root.resolve(rel);
        for (String name : Sys.readdir(dir)) {
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String r = rel.isEmpty() ? name : rel + "/" + name;
            Path p = root.resolve(r);
            Stat st = Sys.lstat(p);
            if (st.isSymlink()) {
                out.put(r, new Entry("link", 0777, Sys.readlink(p)));
            } else if (st.isDirectory()) {
                out.put(r, new Entry("dir", st.perm(), null));
                walk(root, r, out);
            } else {
                out.put(r, new Entry(st.isRegular() ? "file" : "other", st.perm(), null));
            }
        }
    }
}
