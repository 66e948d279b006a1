package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.state.Simulation;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue whose ZAPQ answers BUSY until an operator clears the fault. The newest
 * {@code apq_reset_check} (drivers/s390/crypto/vfio_ap_ops.c) has no retry limit: it re-issues
 * the ZAPQ every {@code AP_RESET_INTERVAL} (20 ms) for as long as it answers BUSY, logging
 * nothing for it, and {@code vfio_ap_mdev_remove_queue} waits for it in {@code flush_work}
 * holding the update locks (guests_lock, kvm->lock, mdevs_lock). So the unbind waits and so do
 * other vfio_ap stores; but the daemon must not burn a CPU doing it (the simulated clock's
 * sleeps cost no time), everything that does not need those locks goes on (reads, the
 * {@code faults} file that ends the wedge, other stores and their saves with {@code --state}),
 * and clearing the fault lets all of it finish.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResetWedgeTest {
    @TempDir
    Path dir;

    private Simulation sim;
    private Sim s;
    private String uuid;

    @BeforeEach
    void boot() {
        sim = Simulation.withStateFile("default", new ManualClock(), dir.resolve("state.json"));
        s = Sim.of(sim.daemon());
        s.ok("/bus/ap/apmask", "-4,-5,-6\n");
        s.settle();
        uuid = s.mdevWith(new String[] {"5"}, new String[] {"47"});
        s.guest("g1");
        s.attach("g1", uuid);
        // a registration, so that each save dumps the guest's interrupts too
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aPermanentZapqBusyHoldsTheUnbindWithoutSpinningAndClearingTheFaultEndsIt() throws Exception {
        s.ok(SysfsPaths.FAULTS, "zapq 05.0047 BUSY\n");
        int logBefore = s.dmesg().split("\n").length;
        Named<Errno> unbind = async("unbind", () -> s.write("/bus/ap/drivers/vfio_ap/unbind", "05.0047\n"));
        Thread.sleep(300);
        assertThat(unbind.f).as("the unbind waits for the reset, as flush_work does").isNotDone();

        // the waiting costs no CPU to speak of
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getThreadCpuTime(unbind.t.getId());
        long wall0 = System.nanoTime();
        Thread.sleep(1000);
        long cpu = mx.getThreadCpuTime(unbind.t.getId()) - cpu0;
        long wall = System.nanoTime() - wall0;
        assertThat(cpu).as("CPU time of the waiting unbind over %d ms", wall / 1_000_000).isLessThan(wall / 4);
        // while what needs none of the driver's locks goes on
        assertThat(within(() -> s.read("/bus/ap/bindings"))).isNotEmpty();
        assertThat(within(() -> s.read(SysfsPaths.FAULTS))).contains("zapq 05.0047 BUSY");
        assertThat(within(() -> s.write("/bus/ap/poll_timeout", "200000\n"))).isNull();
        assertThat(Files.readString(dir.resolve("state.json"))).as("saved meanwhile").contains("\"poll_timeout\" : \"200000\"");
        assertThat(within(() -> s.read(SysfsPaths.DEBUG + "state"))).contains(uuid);
        // a vfio_ap store needs guests_lock: it waits, as in the kernel
        Named<Errno> assign = async("assign", () -> s.write(s.mdevPath(uuid) + "/assign_domain", "0x4\n"));
        Thread.sleep(200);
        assertThat(assign.f).isNotDone();
        // nothing is logged for a ZAPQ that answers BUSY
        assertThat(s.dmesg().split("\n").length - logBefore).isLessThan(20);

        assertThat(within(() -> s.write(SysfsPaths.FAULTS, "clear 05.0047\n"))).isNull();
        assertThat(unbind.f.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(assign.f.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(s.fs.lookup("/bus/ap/drivers/vfio_ap/05.0047")).isNull();
        assertThat(s.guestRead("g1", "apqns")).doesNotContain("05.0047");
    }

    @Test
    void aPermanentTapqBusyLogsTheWaitRateLimitedWithoutSpinning() throws Exception {
        s.ok(SysfsPaths.FAULTS, "tapq 05.0047 BUSY\n");
        Named<Errno> unbind = async("unbind", () -> s.write("/bus/ap/drivers/vfio_ap/unbind", "05.0047\n"));
        Thread.sleep(300);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getThreadCpuTime(unbind.t.getId());
        long wall0 = System.nanoTime();
        Thread.sleep(1000);
        long cpu = mx.getThreadCpuTime(unbind.t.getId()) - cpu0;
        assertThat(cpu).isLessThan((System.nanoTime() - wall0) / 4);
        assertThat(unbind.f).isNotDone();
        long waits = s.dmesg().lines().filter(l -> l.contains("Waited") && l.contains("for reset of queue 05.0047")).count();
        assertThat(waits).as("pr_notice_ratelimited: a few notices, not one per poll").isBetween(1L, 10L);
        assertThat(within(() -> s.write(SysfsPaths.FAULTS, "clear 05.0047\n"))).isNull();
        assertThat(unbind.f.get(10, TimeUnit.SECONDS)).isNull();
    }

    /** What {@code work} returns, which must be within 5 s. */
    private static <T> T within(Supplier<T> work) throws Exception {
        return async("step", work).f.get(5, TimeUnit.SECONDS);
    }

    private record Named<T>(Thread t, CompletableFuture<T> f) {
    }

    private static <T> Named<T> async(String name, Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true); // stuck in the code under test, it must not keep the JVM alive
        t.start();
        return new Named<>(t, f);
    }
}
