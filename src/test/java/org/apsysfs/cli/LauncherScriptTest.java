package org.apsysfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/apsysfs} and {@code scripts/lib/common.sh} with real daemons: signals a daemon
 * can be sent ({@link Signals}), {@code status DIR} for a DIR with a tab and a newline, and
 * {@code clear_stale_mounts} (what {@code scripts/test} and {@code scripts/fuzz} run) touching
 * only this checkout's stale mounts.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path SCRIPT = ROOT.resolve("scripts/apsysfs");

    @TempDir
    Path tmp;

    private List<String> env() {
        return List.of("env", "APSYSFS_CLASSPATH=" + System.getProperty("java.class.path"),
                "APSYSFS_RUN_DIR=" + tmp.resolve("run"), "APSYSFS_LOG_DIR=" + tmp.resolve("log"));
    }

    private Sys.ProcResult script(String... args) {
        List<String> c = new ArrayList<>(env());
        c.add(SCRIPT.toString());
        c.addAll(List.of(args));
        return Sys.run(c, 120, TimeUnit.SECONDS);
    }

    private static void kill(String signal, long pid) {
        // bash's kill knows RTMIN+N and RTMAX
        assertThat(Sys.run("bash", "-c", "kill -s \"$0\" \"$1\"", signal, Long.toString(pid)).exitCode())
                .as("kill -s " + signal).isZero();
    }

    @Test
    void signalsWithoutMeaningForTheDaemonLeaveItServingAndHupStopsItCleanly() throws Exception {
        Path dir = tmp.resolve("tree\twith a tab\nand a newline");
        try {
            Sys.ProcResult m = script("mount", dir.toString());
            assertThat(m.exitCode()).as(m.stderr()).isZero();
            Sys.ProcResult st = script("status", dir.toString());
            assertThat(st.exitCode()).as("status of a DIR with a tab and a newline: " + st.stdout() + st.stderr()).isZero();
            String escaped = dir.toString().replace(" ", "\\040").replace("\t", "\\011").replace("\n", "\\012");
            String row = st.stdout().lines().filter(l -> l.startsWith(escaped + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for " + escaped + " in\n" + st.stdout()));
            String[] cols = row.substring(escaped.length()).trim().split(" +");
            assertThat(cols[0]).isEqualTo("live");
            long pid = Long.parseLong(cols[1]);
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();

            // each of these ended the daemon (USR2: a crash in the JVM's suspend handler) and
            // left the mount stale
            for (String sig : List.of("USR1", "USR2", "ALRM", "VTALRM", "PROF", "PWR", "IO", "STKFLT", "XCPU", "TTIN",
                    "TTOU", "PIPE", "XFSZ", "RTMIN", "RTMIN+3", "RTMAX")) {
                kill(sig, pid);
                kill(sig, pid);
                assertThat(Sys.read(dir.resolve("bus/ap/bindings"))).as("serving after SIG" + sig).isNotEmpty();
                assertThat(daemon.isAlive()).as("alive after SIG" + sig).isTrue();
            }
            assertThat(script("status", dir.toString()).exitCode()).isZero();

            kill("HUP", pid);
            daemon.onExit().get(30, TimeUnit.SECONDS);
            assertThat(FuseMount.isMountPoint(dir)).as("HUP unmounts: no stale mount").isFalse();
            assertThat(script("status", dir.toString()).exitCode()).isEqualTo(3);
        } finally {
            script("umount", dir.toString());
        }
    }

    @Test
    void clearStaleMountsTakesOnlyThisCheckoutsMounts() throws Exception {
        // another checkout: the same classes built elsewhere (its daemons' fsname names it)
        Path classes = Path.of(FuseMount.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path other = tmp.resolve("other-checkout/target/classes");
        try (Stream<Path> w = Files.walk(classes)) {
            for (Path p : w.toList()) {
                Path to = other.resolve(classes.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        String cp = System.getProperty("java.class.path");
        String otherCp = cp.replace(classes.toString(), other.toString());
        assertThat(otherCp).isNotEqualTo(cp);
        Path mine = Files.createDirectory(tmp.resolve("mine"));
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        try {
            staleMount(mine, cp);
            staleMount(theirs, otherCp);
            assertThat(source(mine)).isEqualTo(FuseMount.FSNAME).isEqualTo("apsysfs@" + ROOT.toRealPath());
            assertThat(source(theirs)).isEqualTo("apsysfs@" + tmp.toRealPath().resolve("other-checkout"));

            Sys.ProcResult r = Sys.run(List.of("bash", "-c", ". \"$1\"; clear_stale_mounts", "bash",
                    ROOT.resolve("scripts/lib/common.sh").toString()), 60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stderr()).contains("clearing stale mount at " + mine).doesNotContain(theirs.toString());
            assertThat(FuseMount.isMountPoint(mine)).isFalse();
            assertThat(FuseMount.isMountPoint(theirs)).as("another checkout's stale mount stays").isTrue();
            assertThat(Sys.lstatErrno(theirs)).isEqualTo(107); // still ENOTCONN: untouched
        } finally {
            for (Path d : List.of(mine, theirs)) {
                if (FuseMount.isMountPoint(d)) {
                    Sys.run("fusermount", "-u", "-z", d.toString());
                }
            }
            try (Stream<Path> w = Files.walk(tmp.resolve("other-checkout"))) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String source(Path dir) {
        return FuseMount.mounts().stream().filter(m -> m.mountPoint().equals(dir)).findFirst().orElseThrow().source();
    }

    /** A daemon from class path {@code cp} serves {@code dir}, then is killed with SIGKILL. */
    private static void staleMount(Path dir, String cp) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", cp,
                "org.apsysfs.cli.Main", "run", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Sys.lstatErrno(dir.resolve("kernel")) != 0 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(20); // polling with a bound for the child's mount
            }
            assertThat(Sys.lstatErrno(dir.resolve("kernel"))).as("daemon mounted " + dir).isZero();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Sys.lstatErrno(dir)).isEqualTo(107); // ENOTCONN: stale
    }
}
