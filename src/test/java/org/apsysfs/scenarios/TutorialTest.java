package org.apsysfs.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code console} transcript in README.md is a contiguous run of lines of one of
 * the scenarios in tests/scenarios/ (which ScenariosTest runs), so the tutorial cannot drift
 * from what the simulator prints.
 */
class TutorialTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    @Test
    void transcriptsComeFromTheScenarios() throws IOException {
        List<List<String>> scenarios = new ArrayList<>();
        for (String dir : List.of("tests/scenarios", "tests/scenarios/live")) { // live: LiveScenariosTest
            try (Stream<Path> s = Files.list(ROOT.resolve(dir))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                    scenarios.add(Arrays.asList(Files.readString(f).split("\n", -1)));
                }
            }
        }
        List<String> doc = Files.readAllLines(ROOT.resolve("README.md"));
        int blocks = 0;
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < doc.size(); i++) {
            if (!doc.get(i).equals("```console")) {
                continue;
            }
            int end = i + 1;
            while (!doc.get(end).equals("```")) {
                end++;
            }
            List<String> block = doc.subList(i + 1, end);
            blocks++;
            if (scenarios.stream().noneMatch(sc -> Collections.indexOfSubList(sc, block) >= 0)) {
                stale.add("README.md:" + (i + 1) + ":\n" + String.join("\n", block));
            }
            i = end;
        }
        assertThat(blocks).as("console transcripts in README.md").isGreaterThan(10);
        assertThat(stale).as("transcripts that are no longer in tests/scenarios/ (regenerate the tutorial section)").isEmpty();
    }
}
