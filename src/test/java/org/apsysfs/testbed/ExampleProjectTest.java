package org.apsysfs.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apsysfs.clients.S390Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an outside project (a device plug-in, a libvirt binding) tests its AP code against the
 * simulation: only the public test-bed API, the files of the tree, and the real lszcrypt with
 * {@code SYSFS_ROOT}. Nothing here reaches into the simulator.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExampleProjectTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";

    /** Runs the real lszcrypt against the tree at {@code sys}. */
    static String lszcrypt(Path sys, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = S390Tools.bin("lszcrypt");
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SYSFS_ROOT", sys.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aFreshDefaultMachineIsAllHost(@ApSysfsMachine("default") Path sys) throws Exception {
        assertThat(Files.readString(sys.resolve("bus/ap/bindings"))).isEqualTo("16/16 (complete)\n");
        // lszcrypt's driver column (-V) names the queue's driver link
        assertThat(lszcrypt(sys, "-V", "05")).contains("cex4queue");
    }

    @Test
    void passingAQueueToAnMdev(@ApSysfsMachine("default") Path sys) throws Exception {
        Files.writeString(sys.resolve("bus/ap/apmask"), "-5\n");
        Files.writeString(sys.resolve("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create"), U);
        Path m = sys.resolve("devices/vfio_ap/matrix/" + U);
        Files.writeString(m.resolve("assign_adapter"), "5\n");
        Files.writeString(m.resolve("assign_domain"), "0x47\n");
        assertThat(Files.readString(m.resolve("guest_matrix"))).isEqualTo("05.0047\n");
        assertThat(Files.readString(sys.resolve("devices/ap/card05/05.0047/status"))).isEqualTo("assigned\n");
        assertThat(lszcrypt(sys, "-V", "05.0047")).contains("vfio_ap");
    }

    @Test
    void twoTestBedsAreIndependentAndClosingRemovesTheMount(@ApSysfsMachine("default") Path a,
            @ApSysfsMachine("default") Testbed b) throws Exception {
        Files.writeString(a.resolve("bus/ap/apmask"), "-5\n");
        assertThat(b.read("bus/ap/apmask")).isEqualTo("0x" + "f".repeat(64) + "\n");
        Path dir = b.sys();
        b.close();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void aStateFileCarriesASystemFromOneTestBedToTheNext(@TempDir Path tmp) throws Exception {
        Path state = tmp.resolve("state.json");
        try (Testbed tb = Testbed.start("default", state)) {
            tb.write("bus/ap/apmask", "-6");
        }
        try (Testbed tb = Testbed.start("default", state)) {
            assertThat(tb.read("bus/ap/apmask")).startsWith("0xfd");
            assertThat(tb.read("devices/ap/card06/06.0004/status")).isEqualTo("unassigned\n");
        }
    }
}
