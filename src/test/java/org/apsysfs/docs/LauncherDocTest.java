package org.apsysfs.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One command table: docs/launcher.md holds it, {@code scripts/apsysfs help} prints the same
 * commands in short, the script dispatches exactly those, and the README links to the table
 * instead of keeping a copy.
 */
class LauncherDocTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();

    static Set<String> matches(Pattern p, String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String help() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", ROOT.resolve("scripts/apsysfs").toString(), "help")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void helpTheTableAndTheScriptNameTheSameCommands() throws Exception {
        String help = help();
        String commands = help.substring(help.indexOf("Commands:\n"), help.indexOf("\nDaemon OPTIONS"));
        Set<String> inHelp = matches(Pattern.compile("(?m)^  ([a-z]+)\\b"), commands);
        String doc = Files.readString(ROOT.resolve("docs/launcher.md"));
        Set<String> inTable = matches(Pattern.compile("(?m)^\\| `scripts/apsysfs ([a-z]+)\\b"), doc);
        String script = Files.readString(ROOT.resolve("scripts/apsysfs"));
        String main = script.substring(script.indexOf("\nmain() {"));
        Set<String> dispatched = matches(Pattern.compile("(?m)^\\s+([a-z]+)(?:\\|[a-z|-]+)?\\) cmd_"), main);
        dispatched.add("help");
        assertThat(inHelp).as("commands in scripts/apsysfs help").contains("mount", "shell", "reboot", "udevd");
        assertThat(inTable).as("commands in the table of docs/launcher.md").isEqualTo(inHelp);
        assertThat(dispatched).as("commands scripts/apsysfs dispatches").isEqualTo(inHelp);
    }

    @Test
    void theReadmeLinksToTheTableInsteadOfCopyingIt() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        assertThat(readme).noneMatch(l -> l.startsWith("| `scripts/apsysfs "));
        assertThat(String.join("\n", readme)).contains("[docs/launcher.md](docs/launcher.md)");
    }

    @Test
    void theTableNamesEveryShellAndDaemonOption() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/launcher.md"));
        String script = Files.readString(ROOT.resolve("scripts/apsysfs"));
        String shell = script.substring(script.indexOf("\ncmd_shell() {"), script.indexOf("\n}\n", script.indexOf("\ncmd_shell() {")));
        Set<String> options = matches(Pattern.compile("(?m)^\\s+(--[a-z-]+)(?:\\|--[a-z-]+)*\\)"), shell);
        assertThat(options).contains("--keep", "--private", "--etc", "--state");
        for (String o : options) {
            assertThat(doc).as("docs/launcher.md documents shell " + o).contains("`" + o);
        }
        for (String o : List.of("--machine", "--state", "--allow-other", "--log-file", "--http", "--uevent-socket")) {
            assertThat(doc).as("docs/launcher.md documents daemon option " + o).contains("`" + o);
        }
    }
}
