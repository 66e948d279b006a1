package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apsysfs.kernel.Errno;
import org.apsysfs.locking.LockClass;
import org.apsysfs.locking.LockRank;
import org.apsysfs.locking.Lockdep;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every vfio_ap operation takes its locks in the order of the hierarchy ({@link LockRank}, whose vfio_ap part is
 * Documentation/arch/s390/vfio-ap-locking.rst): ap_scan_bus_mutex →
 * device_lock → ap_attr_mutex → guests_lock → kvm->lock → mdevs_lock, with pqap_hook_rwsem
 * released before the others on open/close and only around mdevs_lock for PQAP. Each test
 * records the acquisitions of one operation ({@link Lockdep#record()}), checks that every
 * dependency among these classes goes "down" the hierarchy, and that the documented chain was
 * really taken. The automatic lockdep extension additionally fails on any validator report.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockOrderTest {
    static final String SCAN = LockRank.AP_SCAN_BUS_MUTEX.lockName();
    static final String DEV = LockRank.DEVICE_LOCK.lockName();
    static final String ATTR = LockRank.AP_ATTR_MUTEX.lockName();
    static final String GUESTS = LockRank.GUESTS_LOCK.lockName();
    static final String KVM = LockRank.KVM_LOCK.lockName();
    static final String MDEVS = LockRank.MDEVS_LOCK.lockName();
    static final String PQAP = LockRank.PQAP_HOOK_RWSEM.lockName();

    Sim s;
    String u;

    @BeforeEach
    void setUp() {
        s = Sim.vfio();
        u = s.mdevWith(new String[] {"4", "5"}, new String[] {"4", "47"});
        s.guest("g1");
    }

    /** The rank of a lock class named in a dependency (null: a class outside the hierarchy, e.g. a test's own). */
    static LockRank rank(String key) {
        int slash = key.indexOf('/');
        LockClass c = LockClass.of(slash < 0 ? key : key.substring(0, slash));
        // only the hierarchy's own classes (a validator test may borrow a rank for a class of its own)
        return c.rank() != null && c.rank().cls() == c ? c.rank() : null;
    }

    /**
     * Whether "a -> b" agrees with the hierarchy ({@link LockRank}, which follows
     * vfio-ap-locking.rst for the vfio_ap part): b ranks below a; and pqap_hook_rwsem is
     * taken with nothing held (open/close release it before the others; PQAP takes it first).
     */
    static boolean allowed(String edge) {
        String[] p = edge.split(" -> ");
        LockRank ra = rank(p[0]);
        LockRank rb = rank(p[1]);
        if (ra == null || rb == null) {
            return true; // not one of the daemon's classes (another test's own classes)
        }
        if (rb == LockRank.PQAP_HOOK_RWSEM) {
            return false;
        }
        return ra.compareTo(rb) < 0 || (ra == rb && !p[0].equals(p[1]));
    }

    /** Only what vfio-ap-locking.rst speaks of: the classes down to mdevs_lock (not the leaves below it). */
    static boolean driverClass(String key) {
        LockRank r = rank(key);
        return r != null && r.compareTo(LockRank.MDEVS_LOCK) <= 0;
    }

    /** The dependencies between {@link #driverClass driver classes}. */
    static Set<String> driverEdges(Set<String> edges) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String e : edges) {
            String[] p = e.split(" -> ");
            if (driverClass(p[0]) && driverClass(p[1])) {
                out.add(e);
            }
        }
        return out;
    }

    /** The acquisitions of driver classes ("held > ... > taken"), the leaves below mdevs_lock left out. */
    static List<String> driverAcquisitions(Lockdep.Recording r) {
        List<String> out = new ArrayList<>();
        for (String a : r.acquisitions()) {
            List<String> keep = new ArrayList<>();
            for (String k : a.split(" > ")) {
                if (driverClass(k)) {
                    keep.add(k);
                }
            }
            String[] all = a.split(" > ");
            if (driverClass(all[all.length - 1])) {
                out.add(String.join(" > ", keep));
            }
        }
        return out;
    }

    /** Runs {@code op} recording its locks; asserts the order, returns the edges seen. */
    Set<String> run(String what, Runnable op) {
        List<String> acq;
        Set<String> edges;
        try (Lockdep.Recording r = Lockdep.get().record()) {
            op.run();
            acq = r.acquisitions();
            edges = r.edges();
        }
        List<String> bad = new ArrayList<>();
        for (String e : edges) {
            if (!allowed(e)) {
                bad.add(e);
            }
        }
        assertThat(bad).as(what + ": dependencies against vfio-ap-locking.rst; acquisitions:\n" + String.join("\n", acq)).isEmpty();
        return edges;
    }

    /** The chain a → b → c ... appears as consecutive dependencies. */
    static void chain(Set<String> edges, String... classes) {
        for (int i = 0; i + 1 < classes.length; i++) {
            assertThat(edges).as("dependency " + classes[i] + " -> " + classes[i + 1]).contains(classes[i] + " -> " + classes[i + 1]);
        }
    }

    void attach() {
        s.attach("g1", u);
    }

    @Test
    void assignAndApConfigWithAGuest() {
        attach();
        Set<String> e = run("assign_adapter", () -> s.mdevWrite(u, "assign_adapter", "6"));
        chain(e, ATTR, GUESTS, KVM, MDEVS);
        e = run("assign_domain", () -> s.mdevWrite(u, "assign_domain", "5"));
        chain(e, ATTR, GUESTS, KVM, MDEVS);
        String cfg = s.mdevRead(u, "ap_config");
        e = run("ap_config", () -> s.ok(s.mdevPath(u) + "/ap_config", cfg));
        chain(e, ATTR, GUESTS, KVM, MDEVS);
        // a refused assignment takes the same locks
        e = run("assign_adapter refused", () -> s.fails(s.mdevPath(u) + "/assign_adapter", "0xb\n", Errno.EADDRNOTAVAIL));
        chain(e, ATTR, GUESTS, KVM, MDEVS);
    }

    @Test
    void assignWithoutAGuestSkipsKvmLock() {
        Set<String> e = run("assign_adapter", () -> s.mdevWrite(u, "assign_adapter", "6"));
        chain(e, ATTR, GUESTS, MDEVS);
        assertThat(e).noneMatch(x -> x.contains(KVM));
    }

    @Test
    void unassignAndControlDomainsTakeNoAttrMutex() {
        attach();
        for (String[] op : new String[][] {{"unassign_adapter", "5"}, {"unassign_domain", "47"},
                {"assign_control_domain", "6"}, {"unassign_control_domain", "6"}}) {
            Set<String> e = run(op[0], () -> s.mdevWrite(u, op[0], "0x" + op[1]));
            chain(e, GUESTS, KVM, MDEVS);
            assertThat(e).as(op[0]).noneMatch(x -> x.startsWith(ATTR));
        }
    }

    @Test
    void readsTakeMdevsLockOrNothing() {
        attach();
        try (Lockdep.Recording r = Lockdep.get().record()) {
            s.mdevRead(u, "matrix");
            s.mdevRead(u, "guest_matrix");
            s.mdevRead(u, "control_domains");
            assertThat(driverAcquisitions(r)).containsExactly(MDEVS, MDEVS, MDEVS);
        }
        try (Lockdep.Recording r = Lockdep.get().record()) {
            s.mdevRead(u, "ap_config");
            assertThat(driverAcquisitions(r)).isEmpty();
        }
        Set<String> e = run("queue status", () -> assertThat(s.queueStatus("05.0047")).isEqualTo("in use\n"));
        assertThat(driverEdges(e)).containsExactly(GUESTS + " -> " + MDEVS);
    }

    @Test
    void createAndRemove() {
        String[] v = new String[1];
        Set<String> e = run("create", () -> v[0] = s.createMdev());
        assertThat(e).contains(GUESTS + " -> " + MDEVS);
        s.mdevWrite(v[0], "assign_adapter", "6");
        s.mdevWrite(v[0], "assign_domain", "5");
        e = run("remove", () -> s.mdevWrite(v[0], "remove", "1"));
        chain(e, GUESTS, MDEVS);
    }

    @Test
    void attachDetachReleaseTheHookLockFirst() {
        try (Lockdep.Recording r = Lockdep.get().record()) {
            attach();
            assertThat(driverAcquisitions(r)).as("open_device").containsSubsequence(PQAP, GUESTS,
                    GUESTS + " > " + KVM, GUESTS + " > " + KVM + " > " + MDEVS);
        }
        Set<String> e = run("detach", () -> s.detach("g1", u));
        chain(e, GUESTS, KVM, MDEVS);
        assertThat(e).noneMatch(x -> x.contains(PQAP));
        // a second mdev for the same guest: EPERM after the same locks
        attach();
        String v = s.mdevWith(new String[] {"6"}, new String[] {"5"});
        s.guest("g2");
        e = run("attach EPERM", () -> {
            // g1's VMM opens a second vfio_ap device: attach it through the API (the control
            // file keeps one mdev per guest)
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.mdev(v).vfioDevice().open(s.d.guests().get("g1"), true))
                    .hasMessageContaining("already uses");
        });
        chain(e, GUESTS, KVM, MDEVS);
    }

    @Test
    void pqapTakesTheHookLockForReadingThenMdevsLock() {
        attach();
        Set<String> e = run("pqap aqic", () -> assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000"))
                .contains("rc=0x00"));
        assertThat(driverEdges(e)).containsExactly(PQAP + " -> " + MDEVS);
        e = run("pqap aqic disable", () -> assertThat(s.pqap("g1", "aqic 05.0047 disable")).contains("rc=0x00"));
        assertThat(driverEdges(e)).containsExactly(PQAP + " -> " + MDEVS);
        try (Lockdep.Recording r = Lockdep.get().record()) {
            s.ok(s.guestPath("g1", "reset"), "1\n");
            assertThat(driverAcquisitions(r)).as("VFIO_DEVICE_RESET").containsExactly(MDEVS);
        }
    }

    @Test
    void queueUnbindAndBindInAGuest() {
        attach();
        Set<String> e = run("unbind", () -> s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0047\n"));
        chain(e, DEV, GUESTS, KVM, MDEVS);
        e = run("bind", () -> s.ok("/bus/ap/drivers/vfio_ap/bind", "05.0047\n"));
        chain(e, DEV, GUESTS, KVM, MDEVS);
        assertThat(e).contains(DEV + " -> " + ATTR);
    }

    @Test
    void maskWritesAskInUseThenReprobe() {
        attach();
        Set<String> e = run("apmask refused", () -> s.fails("/bus/ap/apmask", "+5\n", Errno.EBUSY));
        chain(e, ATTR, GUESTS, MDEVS);
        e = run("apmask give 6 back to zcrypt", () -> s.ok("/bus/ap/apmask", "+6\n"));
        chain(e, ATTR, GUESTS, MDEVS);
        chain(e, DEV, GUESTS, MDEVS);
        e = run("aqmask", () -> s.ok("/bus/ap/aqmask", "-5\n"));
        assertThat(e).contains(DEV + " -> " + GUESTS);
    }

    @Test
    void hostConfigurationChanges() {
        attach();
        Set<String> e = run("adapter 5 leaves the host", () -> {
            s.d.hardware().removeAdapter(5);
            s.d.apBus().forceRescan();
        });
        chain(e, SCAN, GUESTS, KVM, MDEVS);
        chain(e, SCAN, DEV, GUESTS, KVM, MDEVS);
        e = run("adapter 5 comes back", () -> {
            s.d.hardware().addAdapter(5);
            s.d.apBus().forceRescan();
        });
        chain(e, SCAN, GUESTS, KVM, MDEVS);
        chain(e, SCAN, DEV, GUESTS, KVM, MDEVS);
        e = run("domain 0x47 leaves and comes back", () -> {
            s.d.hardware().removeUsageDomain(0x47);
            s.d.apBus().forceRescan();
            s.d.hardware().addUsageDomain(0x47);
            s.d.apBus().forceRescan();
        });
        chain(e, SCAN, GUESTS, KVM, MDEVS);
        assertThat(s.guestRead("g1", "apqns")).isEqualTo("04.0004\n04.0047\n05.0004\n05.0047\n");
    }

    @Test
    void removeOfAnAttachedMdevTakesTheRequestLocksThenTheRemoveLocks() throws Exception {
        attach();
        VfioDevice.requestIntervalMillis = 50;
        try {
            Thread remover = new Thread(() -> s.mdevWrite(u, "remove", "1"), "remover");
            Set<String> e;
            try (Lockdep.Recording r = Lockdep.get().record()) {
                remover.start();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (s.mdev(u).vfioDevice().requestsSent() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                s.detach("g1", u);
                remover.join(10_000);
                assertThat(remover.isAlive()).isFalse();
                e = r.edges();
            }
            chain(e, GUESTS, KVM, MDEVS);
            for (String x : e) {
                assertThat(allowed(x)).as(x).isTrue();
            }
        } finally {
            VfioDevice.requestIntervalMillis = 10_000;
        }
    }

    @Test
    void theWholeGraphAgreesWithTheHierarchy() {
        // after everything above (or at least this class's set-up) the global graph, among the
        // vfio_ap classes, has no edge against the order
        attach();
        s.pqap("g1", "aqic 05.0047 enable 3 0x10000");
        s.mdevWrite(u, "unassign_adapter", "5");
        List<String> bad = new ArrayList<>();
        for (String line : Lockdep.get().graph().split("\n")) {
            if (!line.isEmpty() && !allowed(line)) {
                bad.add(line);
            }
        }
        assertThat(bad).isEmpty();
        assertThat(Lockdep.get().graph()).doesNotContain(MDEVS + " -> " + GUESTS).doesNotContain(KVM + " -> " + GUESTS);
    }
    @Test
    void onlyMatrixDevTakesSeveralDriverLocksAtOnce() throws Exception {
        // MatrixDev promises that every path takes the driver's locks through its helpers
        // (get_update_locks_for_kvm and friends), which encode the order
        List<String> direct = new ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/java/org/apsysfs/vfio_ap"))) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                if (!f.getFileName().toString().equals("MatrixDev.java")
                        && java.nio.file.Files.readString(f).contains("Locks.inOrder(")) {
                    direct.add(f.getFileName().toString());
                }
            }
        }
        assertThat(direct).isEmpty();
    }
}
