package org.apsysfs.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apsysfs.scenarios.Scenario.Command;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every transcript in {@code tests/scenarios/} against a fresh mount of the default
 * machine and compares each command's output and exit status with the transcript.
 *
 * <p>{@code -Dapsysfs.scenario=TEXT} runs only files whose name contains TEXT;
 * {@code -Dapsysfs.scenarios.record} rewrites the files with the actual output.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScenariosTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    static final Path DIR = ROOT.resolve("tests/scenarios");
    static final Duration PER_SCENARIO = Duration.ofSeconds(60);

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        String only = System.getProperty("apsysfs.scenario", "");
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".txt"))
                    .filter(p -> p.getFileName().toString().contains(only)).sorted().toList();
        }
        assertThat(files).as("scenarios in " + DIR).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> run(f)));
    }

    static void run(Path file) throws Exception {
        Scenario sc = Scenario.parse(file.getFileName().toString(), Files.readString(file));
        List<Command> cmds = sc.commands();
        String out;
        try (SysfsMount m = SysfsMount.mountDefault()) {
            out = runBash(m.path(), script(cmds));
        }
        List<List<String>> outputs = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        parse(out, cmds.size(), outputs, exits);
        if (System.getProperty("apsysfs.scenarios.record") != null) {
            Files.writeString(file, sc.render(outputs, exits));
            return;
        }
        assertThat(diff(cmds, outputs, exits)).as(file + " differs (re-record with -Dapsysfs.scenarios.record and review)").isEmpty();
    }

    /** The commands whose output or exit status differ from the transcript (empty: none). */
    static String diff(List<Command> cmds, List<List<String>> outputs, List<Integer> exits) {
        StringBuilder diff = new StringBuilder();
        for (int i = 0; i < cmds.size(); i++) {
            Command c = cmds.get(i);
            if (!Scenario.matches(c.expected(), outputs.get(i)) || c.exit() != exits.get(i)) {
                diff.append("\n$ ").append(c.command().replace("\n", "\n> ")).append("\n--- expected")
                        .append(c.exit() != 0 ? " [exit " + c.exit() + "]" : "").append('\n')
                        .append(String.join("\n", c.expected())).append("\n--- actual")
                        .append(exits.get(i) != 0 ? " [exit " + exits.get(i) + "]" : "").append('\n')
                        .append(String.join("\n", outputs.get(i))).append('\n');
            }
        }
        return diff.toString();
    }

    static String script(List<Command> cmds) {
        return script(cmds, DIR.resolve("lib.sh"));
    }

    /** The bash script that runs {@code cmds} with the lib.sh at {@code libSh}, marking each command's output. */
    static String script(List<Command> cmds, Path libSh) {
        StringBuilder sb = new StringBuilder();
        sb.append("cd \"$SYSFS\" || exit 99\n. ").append(quote(libSh.toString())).append("\nklog >/dev/null\nexec 2>&1\n");
        for (int i = 0; i < cmds.size(); i++) {
            sb.append("printf '\\n@@@ cmd ").append(i).append("\\n'\n");
            sb.append(cmds.get(i).command()).append('\n');
            sb.append("printf '\\n@@@ rc ").append(i).append(" %d\\n' \"$?\"\n");
        }
        return sb.toString();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static void parse(String out, int n, List<List<String>> outputs, List<Integer> exits) {
        for (int i = 0; i < n; i++) {
            String start = "\n@@@ cmd " + i + "\n";
            String end = "\n@@@ rc " + i + " ";
            int s = out.indexOf(start);
            int e = s < 0 ? -1 : out.indexOf(end, s);
            if (s < 0 || e < 0) {
                throw new AssertionError("command " + i + " did not complete; output:\n" + out);
            }
            String body = out.substring(s + start.length(), e);
            List<String> lines = new ArrayList<>(body.isEmpty() ? List.of() : List.of(body.split("\n", -1)));
            lines.replaceAll(l -> l.replaceFirst("^bash: line \\d+: ", "bash: "));
            Scenario.trimTrailingBlank(lines);
            outputs.add(lines);
            int nl = out.indexOf('\n', e + end.length());
            exits.add(Integer.parseInt(out.substring(e + end.length(), nl < 0 ? out.length() : nl).trim()));
        }
    }

    static String runBash(Path sysfs, String script) throws IOException, InterruptedException {
        Path outFile = Files.createTempFile("apsysfs-scenario", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(outFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("SYSFS", sysfs.toString());
            pb.environment().put("LC_ALL", "C");
            // lib.sh's matrix runs scripts/apsysfs matrix from the build tree (no jar build here)
            pb.environment().put("APSYSFS_CLASSPATH", System.getProperty("java.class.path"));
            Process p = pb.start();
            if (!p.waitFor(PER_SCENARIO.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("scenario timed out after " + PER_SCENARIO + "; output so far:\n"
                        + Files.readString(outFile, StandardCharsets.UTF_8));
            }
            return Files.readString(outFile, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(outFile);
        }
    }
}
