package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apsysfs.kernel.Errno;
import org.apsysfs.locking.Guard;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mdev_device_create} (drivers/vfio/mdev/mdev_core.c) calls the driver's probe
 * ({@code vfio_ap_mdev_probe}, which takes {@code matrix_dev->guests_lock} and
 * {@code mdevs_lock}) with no sysfs lock held: a create that waits for those locks (a store
 * holds them, e.g. a queue reset that does not end) must not stop anyone from looking up or
 * reading the tree.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CreateOutsideTreeLockTest {
    @Test
    void aCreateWaitingForGuestsLockBlocksNoLookup() throws Exception {
        Sim s = Sim.vfio();
        MatrixDev md = s.d.vfioAp().matrixDev();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // a store in the middle of its work with guests_lock held
        Thread holder = new Thread(() -> {
            try (Guard g = md.guestsLock().lock()) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
        String u = UUID.randomUUID().toString();
        CompletableFuture<Errno> create = new CompletableFuture<>();
        Thread creator = new Thread(() -> create.complete(s.write(SysfsPaths.MDEV_TYPE + "create", u + "\n")), "creator");
        creator.setDaemon(true);
        creator.start();
        // the create is inside vfio_ap_mdev_probe, waiting for guests_lock
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (md.guestsLock().getQueueLength() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(md.guestsLock().isQueued(creator)).as("create waits for guests_lock").isTrue();
        CompletableFuture<String> reads = CompletableFuture.supplyAsync(() -> s.read("/bus/ap/bindings")
                + s.read(SysfsPaths.FAULTS) + (s.fs.lookup(SysfsPaths.MATRIX + u) != null));
        String r = reads.get(5, TimeUnit.SECONDS);
        assertThat(r).as("lookups and reads go on meanwhile").endsWith("true");
        assertThat(create).isNotDone();
        release.countDown();
        assertThat(create.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(s.read(SysfsPaths.mdev(u) + "matrix")).isEmpty();
        assertThat(s.fs.lookup(SysfsPaths.MDEV_TYPE + "devices/" + u)).isNotNull();
        assertThat(s.fs.lookup(SysfsPaths.mdev(u) + "mdev_type")).isNotNull();
    }
}
