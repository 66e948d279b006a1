package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.locking.Lockdep;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --state} a store that blocks as long as the kernel's would (an mdev
 * {@code remove} whose guest holds it open: {@code vfio_unregister_group_dev} waits for the
 * last user, {@code drivers/vfio/vfio_main.c}) must not hold anything that the save of another
 * store, a read of {@code state}, or the {@code detach} that ends the wait needs.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StateMutexTest {
    @TempDir
    Path dir;

    private Simulation sim;
    private Sim s;
    private String uuid;

    @BeforeEach
    void boot() throws Exception {
        sim = Simulation.withStateFile("default", Clock.system(), dir.resolve("state.json"));
        s = Sim.of(sim.daemon());
        s.ok("/bus/ap/apmask", "-4,-5,-6\n");
        Thread.sleep(50);
        uuid = s.mdevWith(new String[] {"5"}, new String[] {"47"});
        s.guest("g1");
        s.attach("g1", uuid);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Starts {@code echo 1 > remove} and waits until it is blocked on the guest. */
    private CompletableFuture<Errno> blockedRemove() throws InterruptedException {
        CompletableFuture<Errno> remove = async("remover", () -> s.write(s.mdevPath(uuid) + "/remove", "1\n"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // vfio_ap_mdev_request: no request eventfd registered, so the kernel says it blocks
        while (!s.dmesg().contains("blocked until released by user") && !s.dmesg().contains("Relaying device request")
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(remove).isNotDone();
        return remove;
    }

    @Test
    void aBlockedRemoveHoldsUpNeitherAnotherStoreNorTheDetachThatEndsIt() throws Exception {
        CompletableFuture<Errno> remove = blockedRemove();
        // another store while the remove waits: it must return (and be saved) at once
        CompletableFuture<Errno> other = async("other store", () -> s.write("/bus/ap/aqmask", "-0x54\n"));
        assertThat(other.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(StateFormat.parse(Files.readString(dir.resolve("state.json")), "file").get("bus").get("aqmask").asText())
                .as("the other store is saved before its write returns")
                .isEqualTo(s.read("/bus/ap/aqmask").strip());
        // the detach that lets the remove finish
        CompletableFuture<Errno> detach = async("detach", () -> s.guestWrite("g1", "detach", uuid));
        assertThat(detach.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(remove.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(s.mdev(uuid)).isNull();
        assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain(uuid);
        assertThat(Lockdep.get().reports()).noneMatch(r -> r.contains("state_mutex"));
    }

    @Test
    void stateReadsWhileARemoveIsPendingShowTheMdevAndDoNotStallStores() throws Exception {
        CompletableFuture<Errno> remove = blockedRemove();
        for (int i = 0; i < 20; i++) {
            // ap_config is gone from the tree (the remove took the mdev's files away), the mdev
            // itself is not yet: the dump reads the model
            String state = async("reader", () -> s.read(SysfsPaths.DEBUG + "state")).get(5, TimeUnit.SECONDS);
            assertThat(state).contains(uuid).contains("\"0x05\"").contains("\"0x0047\"");
            long t0 = System.nanoTime();
            String timeout = (100000 + i) + "\n";
            assertThat(async("store", () -> s.write("/bus/ap/poll_timeout", timeout)).get(5, TimeUnit.SECONDS))
                    .isNull();
            // no lock of ours is held across the blocked remove, so nothing waits for it
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        }
        assertThat(s.guestWrite("g1", "detach", uuid)).isNull();
        assertThat(remove.get(10, TimeUnit.SECONDS)).isNull();
    }

    private static <T> CompletableFuture<T> async(String name, java.util.function.Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        // a thread stuck in a deadlock of the code under test must not keep the JVM alive
        t.setDaemon(true);
        t.start();
        return f;
    }
}
