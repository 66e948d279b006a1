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
}
