package org.apsysfs.locking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apsysfs.testing.ExpectLockdepReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock validator itself. Every test uses lock classes of its own (named after the test),
 * since lock classes and the dependency graph are global to the JVM.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockdepTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static LockClass cls(String name) {
        return LockClass.of("test-" + name + "-" + SEQ.incrementAndGet());
    }

    private static void inThread(String name, Runnable r) throws InterruptedException {
        Thread t = new Thread(r, name);
        t.start();
        t.join(10_000);
        assertThat(t.isAlive()).as(name + " finished").isFalse();
    }

    @Test
    @ExpectLockdepReport
    void anInvertedOrderIsReportedWhenFirstSeenNamingBothChainsWithoutADeadlock() throws Exception {
        LockClass a = cls("A");
        LockClass b = cls("B");
        KMutex ma = new KMutex(a);
        KMutex mb = new KMutex(b);
        int before = Lockdep.get().reportCount();

        inThread("order-ab", () -> {
            try (Guard g = Locks.inOrder(ma, mb)) {
                assertThat(Lockdep.get().heldByCurrentThread()).containsExactly(b.name(), a.name());
            }
        });
        assertThat(Lockdep.get().reportCount()).as("A -> B alone is fine").isEqualTo(before);
        assertThat(Lockdep.get().graph()).contains(a.name() + " -> " + b.name() + "\n");

        // later, in another thread, B -> A: nothing blocks (A is free), but the order is inverted
        List<String>[] seenInside = new List[1];
        inThread("order-ba", () -> {
            try (Guard gb = mb.lock()) {
                int atB = Lockdep.get().reportCount();
                try (Guard ga = ma.lock()) {
                    // reported the moment A is taken under B, before anything else happens
                    seenInside[0] = Lockdep.get().reports().subList(atB, Lockdep.get().reportCount());
                }
            }
        });
        assertThat(seenInside[0]).hasSize(1);
        String r = seenInside[0].get(0);
        assertThat(r).startsWith("WARNING: possible circular locking dependency detected")
                .contains("order-ba is trying to acquire lock:\n  " + a.name() + " (" + a.name() + ")")
                .contains("but task is already holding lock:\n  " + b.name())
                .contains("the existing dependency chain (in reverse order) is:\n  " + a.name() + "\n  --> " + b.name())
                .contains("new dependency:\n  " + b.name() + " --> " + a.name())
                .contains("#0: " + b.name());
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);

        // the same inversion again is not reported twice
        inThread("order-ba-again", () -> {
            try (Guard g = Locks.inOrder(mb, ma)) {
                // nothing
            }
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);
    }

    @Test
    @ExpectLockdepReport
    void aLongerCycleIsFoundThroughTheGraph() throws Exception {
        LockClass a = cls("A");
        LockClass b = cls("B");
        LockClass c = cls("C");
        KMutex ma = new KMutex(a);
        KMutex mb = new KMutex(b);
        KMutex mc = new KMutex(c);
        int before = Lockdep.get().reportCount();
        inThread("ab", () -> Locks.inOrder(ma, mb).close());
        inThread("bc", () -> Locks.inOrder(mb, mc).close());
        assertThat(Lockdep.get().reportCount()).isEqualTo(before);
        inThread("ca", () -> Locks.inOrder(mc, ma).close());
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);
        assertThat(Lockdep.get().reports().get(before))
                .contains("  " + a.name() + "\n  --> " + b.name() + "\n  --> " + c.name() + "\n")
                .contains("new dependency:\n  " + c.name() + " --> " + a.name());
    }

    @Test
    @ExpectLockdepReport(atLeast = 2)
    void recursiveAcquisitionIsReported() throws Exception {
        LockClass k = cls("K");
        KMutex one = new KMutex(k, "k(one)");
        KMutex two = new KMutex(k, "k(two)");
        int before = Lockdep.get().reportCount();
        // two instances of one class, no nesting subclass: lockdep cannot tell them apart
        inThread("two-of-a-class", () -> Locks.inOrder(one, two).close());
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);
        assertThat(Lockdep.get().reports().get(before)).startsWith("WARNING: possible recursive locking detected")
                .contains("is trying to acquire lock:\n  k(two) (" + k.name() + ")")
                .contains("but task is already holding lock:\n  k(one) (" + k.name() + ")");

        // the same mutex twice (a read-write semaphore: a real self-deadlock on a mutex)
        KRwSem sem = new KRwSem(cls("S"), "sem");
        inThread("read-twice", () -> {
            try (Guard g1 = sem.read(); Guard g2 = sem.read()) {
                // nothing
            }
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 2);
        assertThat(Lockdep.get().reports().get(before + 1)).startsWith("WARNING: possible recursive locking detected")
                .contains("sem");
    }

    @Test
    void aNestingSubclassLetsTwoLocksOfOneClassNest() throws Exception {
        LockClass k = cls("parent-child");
        KMutex parent = new KMutex(k, "parent");
        KMutex child = new KMutex(k, "child");
        int before = Lockdep.get().reportCount();
        inThread("nested", () -> {
            try (Guard p = parent.lock(); Guard c = child.lockNested(1)) {
                assertThat(Lockdep.get().heldByCurrentThread()).containsExactly(k.name() + "/1", k.name());
            }
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(before);
        assertThat(Lockdep.get().graph()).contains(k.name() + " -> " + k.name() + "/1\n");
    }

    @Test
    @ExpectLockdepReport
    void aWaitLongerThanTheHungTaskTimeoutIsReportedAndTheWaitGoesOn() throws Exception {
        KMutex m = new KMutex(cls("slow"), "slow");
        long old = Lockdep.get().hungTaskMillis();
        int before = Lockdep.get().reportCount();
        Lockdep.get().setHungTaskMillis(50);
        try {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try (Guard g = m.lock()) {
                    held.countDown();
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "holder");
            holder.start();
            assertThat(held.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread waiter = new Thread(() -> m.lock().close(), "waiter");
            waiter.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Lockdep.get().reportCount() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            release.countDown();
            holder.join(5000);
            waiter.join(5000);
            assertThat(waiter.isAlive()).isFalse();
        } finally {
            Lockdep.get().setHungTaskMillis(old);
        }
        assertThat(Lockdep.get().reports().get(before)).startsWith("INFO: task waiter blocked for more than")
                .contains("waiting for slow");
    }

    @Test
    void aRecordingShowsWhatWasHeldAtEachAcquisition() throws Exception {
        KMutex a = new KMutex(cls("ra"));
        KMutex b = new KMutex(cls("rb"));
        try (Lockdep.Recording rec = Lockdep.get().record()) {
            inThread("rec", () -> Locks.inOrder(a, b).close());
            assertThat(rec.edges()).containsExactly(a.lockClass().name() + " -> " + b.lockClass().name());
            assertThat(rec.acquisitions()).containsExactly(a.lockClass().name(),
                    a.lockClass().name() + " > " + b.lockClass().name());
            assertThat(rec.taken()).containsExactly(a.lockClass().name(), b.lockClass().name());
        }
    }
    // ------------------------------------------------------------------ the hierarchy

    @Test
    void everyRankHasItsClassAndTheHierarchyIsTheConstantsOrder() {
        for (LockRank r : LockRank.values()) {
            assertThat(r.cls().rank()).isSameAs(r);
            assertThat(LockClass.of(r.lockName())).as("the class by name is the ranked one").isSameAs(r.cls());
        }
        // the two ends the package documentation names
        assertThat(LockRank.values()[0]).isEqualTo(LockRank.STATE_MUTEX);
        assertThat(LockRank.values()[LockRank.values().length - 1]).isEqualTo(LockRank.KERNFS_RWSEM);
        assertThat(LockRank.GUESTS_LOCK).isLessThan(LockRank.KVM_LOCK);
        assertThat(LockRank.KVM_LOCK).isLessThan(LockRank.MDEVS_LOCK);
    }

    @Test
    void locksInOrderRefusesAnOrderAgainstTheRanksBeforeTakingAnything() {
        KMutex hw = new KMutex(LockClass.withRank("test-hw-" + SEQ.incrementAndGet(), LockRank.AP_HARDWARE));
        KMutex mdevs = new KMutex(LockClass.withRank("test-mdevs-" + SEQ.incrementAndGet(), LockRank.MDEVS_LOCK));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Locks.inOrder(hw, mdevs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("against the lock hierarchy");
        assertThat(hw.isLocked()).isFalse();
        assertThat(mdevs.isLocked()).isFalse();
        try (Guard g = Locks.inOrder(mdevs, null, hw)) {
            assertThat(hw.isHeldByCurrentThread()).isTrue();
        }
        // unranked classes (a test's own) are not checked
        KMutex a = new KMutex(cls("free-a"));
        try (Guard g = Locks.inOrder(hw, a)) {
            assertThat(a.isHeldByCurrentThread()).isTrue();
        }
    }

    @Test
    @ExpectLockdepReport
    void aLockTakenUnderOneOfAHigherRankIsReportedTheFirstTimeWithoutACycle() throws Exception {
        KMutex inner = new KMutex(LockClass.withRank("test-inner-" + SEQ.incrementAndGet(), LockRank.AP_QUEUE_LOCK));
        KMutex outer = new KMutex(LockClass.withRank("test-outer-" + SEQ.incrementAndGet(), LockRank.GUESTS_LOCK));
        int before = Lockdep.get().reportCount();
        inThread("inverted", () -> {
            try (Guard gi = inner.lock(); Guard go = outer.lock()) {
                assertThat(go).isNotNull();
            }
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);
        String r = Lockdep.get().reports().get(before);
        assertThat(r).startsWith("WARNING: lock order against the hierarchy (LockRank)")
                .contains(outer.lockClass().name() + ", rank GUESTS_LOCK").contains(inner.lockClass().name() + " (rank AP_QUEUE_LOCK)");
        // once per dependency, as lockdep reports a chain once
        inThread("inverted again", () -> {
            try (Guard gi = inner.lock(); Guard go = outer.lock()) {
                assertThat(go).isNotNull();
            }
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(before + 1);
    }

    @Test
    @ExpectLockdepReport
    void aReadOfTheTreeLockUnderAnotherReadIsARecursiveRead() throws Exception {
        // down_read twice: deadlocks as soon as a writer queues between the two (kernfs_rwsem
        // is not fair to readers); the validator says so the first time it happens
        KRwSem sem = new KRwSem(LockClass.withRank("test-tree-" + SEQ.incrementAndGet(), LockRank.KERNFS_RWSEM), "tree");
        int before = Lockdep.get().reportCount();
        inThread("reader", () -> {
            boolean a = sem.readUnlessWriter();
            boolean b = sem.readUnlessWriter();
            sem.readUnlock(b);
            sem.readUnlock(a);
        });
        assertThat(Lockdep.get().reports().subList(before, Lockdep.get().reportCount()))
                .anyMatch(x -> x.startsWith("WARNING: possible recursive locking detected"));
        // a read inside the write side takes nothing (a batch of tree changes that looks up)
        int mid = Lockdep.get().reportCount();
        inThread("writer", () -> {
            boolean w = sem.writeUnlessHeld();
            assertThat(sem.readUnlessWriter()).isFalse();
            assertThat(sem.writeUnlessHeld()).isFalse();
            sem.writeUnlock(w);
        });
        assertThat(Lockdep.get().reportCount()).isEqualTo(mid);
    }
}
