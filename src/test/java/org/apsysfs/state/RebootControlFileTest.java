package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apsysfs.fuzz.TreeSnapshot;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kernel/debug/apsysfs/reboot} through a real mount: a fresh kernel on the same
 * machine, kernel command line parameters {@code ap.apmask=}/{@code ap.aqmask=} as
 * {@code ap_perms_init} takes them, and refusals that change nothing.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RebootControlFileTest {
    private static final String REBOOT = SysfsPaths.DEBUG + "reboot";
    private static final String TYPE = SysfsPaths.MDEV_TYPE;

    @Test
    void aRebootBootsAFreshKernelOnTheMachineAsItIsNow(Path mnt) {
        assertThat(Sys.writeFile(mnt.resolve("bus/ap/apmask"), "-4,-5\n").ok()).isTrue();
        String u = UUID.randomUUID().toString();
        assertThat(Sys.writeFile(mnt.resolve(TYPE + "create"), u + "\n").ok()).isTrue();
        // hardware: adapter 0x0b leaves the configuration, a new CEX7P is installed at 0x07
        assertThat(Sys.writeFile(mnt.resolve("kernel/debug/apsysfs/host/adapter_remove"), "0x0b\n").ok()).isTrue();
        assertThat(Sys.writeFile(mnt.resolve("kernel/debug/apsysfs/host/adapter_add"), "7 CEX7P\n").ok()).isTrue();

        // looked up before the reboot, so the kernel holds these entries and the link target
        assertThat(Files.exists(mnt.resolve("devices/vfio_ap/matrix/" + u))).isTrue();
        assertThat(Sys.readlink(mnt.resolve("devices/ap/card05/05.0004/driver"))).endsWith("/vfio_ap");

        assertThat(Sys.writeFile(mnt.resolve(REBOOT), "\n").ok()).isTrue();

        assertThat(Sys.read(mnt.resolve("bus/ap/apmask"))).isEqualTo("0x" + "f".repeat(64) + "\n");
        assertThat(Files.exists(mnt.resolve("devices/vfio_ap/matrix/" + u))).as("mdevs are kernel state").isFalse();
        assertThat(Files.exists(mnt.resolve("devices/ap/card0b"))).as("0x0b is still out of the configuration").isFalse();
        assertThat(Sys.read(mnt.resolve("devices/ap/card07/type"))).isEqualTo("CEX7P\n");
        assertThat(Sys.readlink(mnt.resolve("devices/ap/card05/05.0004/driver"))).endsWith("/cex4queue");
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/cmdline"))).isEqualTo("\n");
        String dmesg = Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg"));
        assertThat(dmesg).contains("apsysfs: reboot: booted").doesNotContain("adapter_remove");
        // the uevents start afresh with the boot
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"))).startsWith("KERNEL[1] ");
    }

    @Test
    void apMaskOnTheCommandLineFreesQueuesBeforeTheFirstScan(Path mnt) {
        assertThat(Sys.writeFile(mnt.resolve(REBOOT), "ap.apmask=0x0f ap.aqmask=+0-0x53\n").ok()).isTrue();

        // ap_perms_init: the masks start from zeros; 0x0f keeps adapters 4..7, +0-0x53 domains 0..83
        assertThat(Sys.read(mnt.resolve("bus/ap/apmask"))).isEqualTo("0x0f" + "0".repeat(62) + "\n");
        assertThat(Sys.read(mnt.resolve("bus/ap/aqmask")))
                .isEqualTo("0x" + "f".repeat(20) + "f0" + "0".repeat(42) + "\n");
        assertThat(Sys.readlink(mnt.resolve("devices/ap/card0b/0b.0004/driver"))).endsWith("/vfio_ap");
        assertThat(Sys.readlink(mnt.resolve("devices/ap/card04/04.0054/driver"))).endsWith("/vfio_ap");
        assertThat(Sys.readlink(mnt.resolve("devices/ap/card04/04.0047/driver"))).endsWith("/cex4queue");
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/cmdline"))).isEqualTo("ap.apmask=0x0f ap.aqmask=+0-0x53\n");
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg")))
                .contains("Kernel command line: ap.apmask=0x0f ap.aqmask=+0-0x53");
        // freed before the first scan: the queue was never bound to zcrypt, so no unbind
        String uevents = Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"));
        assertThat(uevents).doesNotContain("unbind /devices/ap/card0b/0b.0004 ")
                .contains("bind /devices/ap/card0b/0b.0004 (ap)\nACTION=bind\nDEVPATH=/devices/ap/card0b/0b.0004\n"
                        + "SUBSYSTEM=ap\nDEVTYPE=ap_queue\nDRIVER=vfio_ap\n");
    }

    @Test
    void badCommandLinesAreRefusedAndChangeNothing(Path mnt) {
        assertThat(Sys.writeFile(mnt.resolve("bus/ap/apmask"), "-6\n").ok()).isTrue();
        TreeSnapshot before = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);
        for (String bad : new String[] {"ap.apmask=zz\n", "ap.apmask=0x0f quiet\n", "ap.apmask\n",
                "ap.aqmask=0x" + "f".repeat(65) + "\n", "ap.apmask=+256\n", "ap.apmask=0X0f\n", "ap.apmask=\u00e9\n"}) {
            assertThat(Sys.writeFile(mnt.resolve(REBOOT), bad).errno()).as(bad).isEqualTo(22);
        }
        TreeSnapshot after = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);
        assertThat(before.diff(after)).isNull();
        assertThat(Sys.read(mnt.resolve("bus/ap/apmask"))).startsWith("0xfd");
        String dmesg = Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg"));
        assertThat(dmesg).contains(
                "apsysfs: reboot: refused: ap.apmask=zz is not a mask",
                "apsysfs: reboot: refused: unknown parameter 'quiet' (known: ap.apmask=, ap.aqmask=); nothing changed",
                "apsysfs: reboot: refused: ap.apmask needs a value (ap.apmask=...); nothing changed",
                "apsysfs: reboot: refused: ap.apmask=+256 is not a mask")
                .doesNotContain("apsysfs: reboot: booted");
    }
}
