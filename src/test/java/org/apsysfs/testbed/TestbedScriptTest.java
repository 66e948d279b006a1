package org.apsysfs.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apsysfs.clients.S390Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/apsysfs testbed -- COMMAND} as a shell-script test of another project uses it:
 * the command sees a private fresh system at /sys with SYSFS_ROOT set and lszcrypt on PATH, its
 * exit status is the command's, and nothing is left mounted.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestbedScriptTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();

    record Run(int rc, String out) { }

    static Run testbed(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("scripts/apsysfs").toString(), "testbed"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectInput(new File("/dev/null"));
        // the daemon runs from the build tree (no jar build inside the test)
        pb.environment().put("APSYSFS_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("APSYSFS_S390_TOOLS", S390Tools.prefix().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("testbed timed out:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    static List<String> testbedMounts() throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (l.contains("apsysfs-testbed.")) {
                out.add(l);
            }
        }
        return out;
    }

    @Test
    void lszcryptRunsAgainstAPrivateSystem() throws Exception {
        Run r = testbed("--", "sh", "-c", "echo root=$SYSFS_ROOT; command -v lszcrypt; lszcrypt; "
                + "echo -5 > /sys/bus/ap/apmask && lszcrypt -V 05.0047; cat /sys/bus/ap/bindings; exit 3");
        assertThat(r.rc()).as(r.out()).isEqualTo(3);
        assertThat(r.out()).contains("root=/sys\n", S390Tools.bin("lszcrypt") + "\n", "16/16 (complete)\n");
        assertThat(r.out()).containsPattern("(?m)^05\\.0047 +CEX8C +CCA-Coproc +online");
        assertThat(r.out()).containsPattern("(?m)^05\\.0047 .*vfio_ap");
        assertThat(testbedMounts()).isEmpty();
        // the next test bed is fresh: apmask is all ones again
        Run again = testbed("--", "cat", "/sys/bus/ap/apmask");
        assertThat(again.out()).contains("0x" + "f".repeat(64) + "\n");
        assertThat(testbedMounts()).isEmpty();
    }

    @Test
    void thePictureOfTheTestBed(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path svg = tmp.resolve("m.svg");
        Path html = tmp.resolve("m.html");
        Run r = testbed("--", "sh", "-c", "echo -6 > /sys/bus/ap/apmask; " + ROOT.resolve("scripts/apsysfs")
                + " matrix --no-legend --svg " + svg + " --html " + html);
        assertThat(r.rc()).as(r.out()).isZero();
        assertThat(r.out()).contains("06 CEX8A  f    f    -    f    f\n", "0b CEX8P  H    H    -    H    H\n");
        assertThat(Files.readString(svg)).startsWith("<svg").contains(">06 CEX8A</text>");
        assertThat(Files.readString(html)).contains("<td class=\"free\" data-apqn=\"06.0054\"");
        // a tree without an AP bus (this machine's own /sys) is refused
        Run none = testbed("--", ROOT.resolve("scripts/apsysfs").toString(), "matrix", tmp.toString());
        assertThat(none.rc()).as(none.out()).isEqualTo(2);
        assertThat(none.out()).contains("has no AP bus");
    }
}
