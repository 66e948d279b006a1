package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code scripts/apsysfs shell} from the test JVM: real programs (mdevctl, udevadm,
 * libvirtd, virsh) in a private mount namespace where a test's mount is {@code /sys}.
 *
 * <p>Every run is bounded: on timeout the whole process tree of the run is killed (SIGKILL to
 * {@code unshare} kills PID 1 of the namespace, and with it everything inside, so no namespace
 * keeps a bind of the tree) and the test fails with the output so far.
 */
public final class ApsysfsShell {
    /** The repository (Maven runs tests with the project directory as working directory). */
    public static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    public static final Path SCRIPT = ROOT.resolve("scripts/apsysfs");

    /** Private copies of libvirt's state directories (root's libvirtd cannot relocate them). */
    public static final List<String> LIBVIRT_PRIVATE = List.of(
            "--private", "/etc/libvirt", "--private", "/var/lib/libvirt", "--private", "/var/cache/libvirt",
            "--private", "/var/log/libvirt", "--private", "/run");

    private ApsysfsShell() {
    }

    /** Exit status and output of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** A description for assertion messages. */
        public String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Fails with a message telling how to get {@code program} if it is not installed. */
    public static void require(String program, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new AssertionError(program + " is not installed (Debian package " + debianPackage
                + "); run scripts/test, which installs it, or: apt-get install " + debianPackage);
    }

    /**
     * {@code scripts/apsysfs shell ARGS...} with {@code env} added to the environment, stdin
     * {@code stdin} (null: /dev/null), bounded by {@code timeout}.
     */
    public static Result run(List<String> args, Map<String, String> env, String stdin, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.add("shell");
        cmd.addAll(args);
        Path out = null;
        Path err = null;
        Path in = null;
        Process p = null;
        try {
            out = Files.createTempFile("apsysfs-shell-out", ".txt");
            err = Files.createTempFile("apsysfs-shell-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.createTempFile("apsysfs-shell-in", ".txt");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(new File("/dev/null"));
            }
            pb.environment().putAll(env);
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new AssertionError("scripts/apsysfs shell timed out after " + timeout + ": " + cmd
                        + "\n--- stdout\n" + read(out) + "\n--- stderr\n" + read(err));
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                kill(p);
            }
            throw new AssertionError("interrupted running " + cmd, e);
        } finally {
            for (Path f : new Path[] {out, err, in}) {
                if (f != null) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        // temporary file; not worth failing for
                    }
                }
            }
        }
    }

    /** {@code shell MNT -- bash -c SCRIPT}. */
    public static Result bash(Path mnt, String script, Duration timeout) {
        return run(List.of(mnt.toString(), "--", "bash", "-c", script), Map.of(), null, timeout);
    }

    /** Kills the process and all its descendants (children first are found before killing). */
    static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            // the daemon of a mount the shell started is cleaned up by the test's umount
            h.destroyForcibly();
        }
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path f) {
        try {
            return f == null ? "" : Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ step scripts

    /**
     * The bash prelude for step scripts: {@code step NAME COMMAND...} runs COMMAND with stderr
     * merged into stdout between markers that {@link #steps} parses.
     */
    public static final String STEP_PRELUDE = """
            step() {
                local name=$1; shift
                printf '\\n@@@ step %s\\n' "$name"
                "$@" 2>&1
                printf '\\n@@@ rc %s %d\\n' "$name" "$?"
            }
            """;

    /** One step's output (stdout and stderr, trimmed of the marker newlines) and exit status. */
    public record Step(String output, int rc) {
    }

    /** Asserts that step {@code name} ran, printed {@code output} (both stripped) and exited {@code rc}. */
    public static void step(Map<String, Step> s, String name, int rc, String output) {
        Step st = s.get(name);
        assertThat(st).as("step " + name).isNotNull();
        assertThat(st.output().strip()).as("output of " + name).isEqualTo(output.strip());
        assertThat(st.rc()).as("exit status of " + name + ": " + st.output()).isEqualTo(rc);
    }

    /** Parses the output of a step script: step name to result, in order. */
    public static Map<String, Step> steps(String stdout) {
        Map<String, Step> steps = new LinkedHashMap<>();
        String[] parts = stdout.split("\n@@@ step ", -1);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int nl = part.indexOf('\n');
            String name = part.substring(0, nl);
            String rest = part.substring(nl + 1);
            String marker = "\n@@@ rc " + name + " ";
            int m = rest.lastIndexOf(marker);
            if (m < 0) {
                steps.put(name, new Step(rest, -1));
                continue;
            }
            String rcText = rest.substring(m + marker.length()).trim();
            steps.put(name, new Step(rest.substring(0, m), Integer.parseInt(rcText.split("\\s+")[0])));
        }
        return steps;
    }
}
