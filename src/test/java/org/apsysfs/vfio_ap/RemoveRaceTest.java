package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Once the removal of an mdev has begun, the VFIO device cannot be opened any more (the kernel
 * unregisters the device before it waits for the last user), so no guest can be attached to
 * an mdev that is going away.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RemoveRaceTest {
    @Test
    void anAttachRacingWithRemoveFailsAndLeavesTheGuestEmpty() throws Exception {
        // real clock: the remove's queue reset really takes 600 ms, with guests_lock held
        Sim s = Sim.of(Daemon.create("default"));
        s.ok("/bus/ap/apmask", "-4,-5,-6\n");
        Thread.sleep(50);
        String u = s.mdevWith(new String[] {"5"}, new String[] {"47"});
        s.guest("g1");
        s.ok(SysfsPaths.FAULTS, "reset_delay 05.0047 600\n");
        Errno[] removed = new Errno[1];
        Thread remover = new Thread(() -> removed[0] = s.write(s.mdevPath(u) + "/remove", "1\n"), "remover");
        remover.start();
        // wait until remove is inside vfio_ap_mdev_remove, resetting 05.0047 with guests_lock held
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!s.d.hardware().queueInfo(0x0547).resetInProgress() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(s.d.hardware().queueInfo(0x0547).resetInProgress()).isTrue();
        Errno attached = s.guestWrite("g1", "attach", u);
        remover.join(10_000);
        assertThat(remover.isAlive()).isFalse();
        assertThat(removed[0]).isNull();
        assertThat(s.mdev(u)).isNull();
        assertThat(attached).as("attach to an mdev being removed").isEqualTo(Errno.ENODEV);
        assertThat(s.guestRead("g1", "apqns")).isEmpty();
        assertThat(s.guestRead("g1", "status")).contains("mdev: -");
        assertThat(s.hazards()).isEmpty();
    }
}
