package org.apsysfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's log as a user gets it ({@link LogSetup}, no logback.xml): a daemon started
 * without the test class path (so without logback-test.xml) writes kernel-style lines in the
 * documented format to {@code --log-file}, or to standard error without it.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LogSetupTest {
    private static final String LINE = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  kernel: ";

    @Test
    void theLogGoesToTheLogFileInTheDocumentedFormat(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("daemon.log");
        String out = runAndUnmount(tmp, "--log-file", log.toString());
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(text.lines().toList()).anyMatch(l -> l.matches(LINE + "apsysfs: serving default at .*"))
                .anyMatch(l -> l.matches(LINE + "apsysfs: .* unmounted"))
                .allMatch(l -> l.matches(LINE.replace("INFO ", "[A-Z]+ *") + ".*"));
        // nothing else: no logback status lines, no log lines on the console
        assertThat(out).isEmpty();
    }

    @Test
    void withoutALogFileTheLogGoesToStandardError(@TempDir Path tmp) throws Exception {
        String out = runAndUnmount(tmp);
        assertThat(out.lines().toList()).anyMatch(l -> l.matches(LINE + "apsysfs: serving default at .*"));
    }

    /** Runs the daemon in a JVM of its own until it serves, unmounts it; its stdout+stderr. */
    private static String runAndUnmount(Path tmp, String... options) throws Exception {
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Path console = tmp.resolve("console");
        // the main class path only: no test classes, so no logback-test.xml
        String cp = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, "org.apsysfs.cli.Main", "run",
                mnt.toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(mnt.resolve("bus/ap/bindings")) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling with a bound, not synchronisation
            }
            assertThat(FuseMount.isMountPoint(mnt)).as("serving; console: %s", Files.readString(console)).isTrue();
            assertThat(Sys.run("fusermount", "-u", mnt.toString()).exitCode()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            if (FuseMount.isMountPoint(mnt)) {
                Sys.run("fusermount", "-u", "-z", mnt.toString());
            }
            p.destroyForcibly();
        }
        return Files.readString(console, StandardCharsets.UTF_8);
    }
}
