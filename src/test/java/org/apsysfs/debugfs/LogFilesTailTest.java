package org.apsysfs.debugfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The log-like control files ({@code dmesg}, {@code uevents}, {@code store_times}, ...) with
 * GNU tail, as a user follows them: their size is their content's length (a kernfs attribute
 * says a page, debugfs 0; neither lets tail find the end or follow), and reads at any offset
 * agree with one cat.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LogFilesTailTest {
    private static final String DEBUG = "kernel/debug/apsysfs/";

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        return out;
    }

    /** Makes the log longer than a page: refused stores each log a line (ap_parse_mask_str). */
    private static void refuse(Path mnt, int n, String tag) {
        for (int i = 0; i < n; i++) {
            Sys.writeFile(mnt.resolve("bus/ap/apmask"), "+" + (256 + i) + tag);
        }
    }

    @Test
    void tailPrintsTheLastLinesOfCat(Path mnt) throws Exception {
        refuse(mnt, 120, "");
        Sys.writeFile(mnt.resolve("kernel/debug/apsysfs/host/adapter_add"), "7 CEX7P\n");
        for (String f : List.of("dmesg", "uevents", "store_times")) {
            Path p = mnt.resolve(DEBUG + f);
            String cat = run("cat", p.toString());
            assertThat(cat.length()).as(f).isGreaterThan(f.equals("dmesg") ? 4096 : 100);
            assertThat(Files.size(p)).as(f + " size").isEqualTo(cat.getBytes(StandardCharsets.ISO_8859_1).length);
            String[] lines = cat.split("\n", -1);
            String last1 = lines[lines.length - 2] + "\n";
            String last2 = lines[lines.length - 3] + "\n" + last1;
            assertThat(run("tail", "-n", "1", p.toString())).as(f).isEqualTo(last1);
            assertThat(run("tail", "-n", "2", p.toString())).as(f).isEqualTo(last2);
            // tail -c reads from an offset near the end: the same bytes as cat's
            assertThat(run("tail", "-c", "100", p.toString())).as(f).isEqualTo(cat.substring(cat.length() - 100));
        }
        // a file that is not log-like keeps the page size of a kernfs attribute
        assertThat(Files.size(mnt.resolve("bus/ap/apmask"))).isEqualTo(4096);
    }

    @Test
    void tailFollowShowsANewRejectionWithinASecond(Path mnt) throws Exception {
        refuse(mnt, 60, "");
        Path dmesg = mnt.resolve(DEBUG + "dmesg");
        Process tail = new ProcessBuilder("tail", "-n", "0", "-f", dmesg.toString()).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // tail was stopped
            }
        });
        reader.start();
        try {
            Thread.sleep(1500); // tail has printed nothing (-n 0) and polls now
            assertThat(lines).as("tail -n 0 -f printed before anything new was logged").isEmpty();
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                Sys.writeFile(mnt.resolve("bus/ap/apmask"), "+" + (300 + round));
                String l = lines.poll(3, TimeUnit.SECONDS);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(l).as("tail -f after round " + round).isNotNull().contains("apmask");
                assertThat(ms).as("tail -f latency (polls every second)").isLessThan(2000);
                Thread.sleep(200);
                assertThat(lines).as("tail printed only the new line (no 'file truncated', no repeat)").isEmpty();
            }
        } finally {
            tail.destroy();
            if (!tail.waitFor(5, TimeUnit.SECONDS)) {
                tail.destroyForcibly();
            }
            reader.join(5000);
        }
    }
}
