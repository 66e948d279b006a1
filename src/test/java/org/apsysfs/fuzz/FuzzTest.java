package org.apsysfs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The fixed-seed fuzzing run of the suite (see {@link Fuzzer} for the oracle). A longer run:
 *
 * <pre>
 * scripts/fuzz SEED ITERATIONS
 * mvn -B -q -o test -Dtest=FuzzTest -Dfuzz.seed=N -Dfuzz.iterations=M [-Dfuzz.minutes=30]
 * </pre>
 *
 * The figures go to standard output and {@code target/fuzz-report.txt}.
 */
class FuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20240611L);
    static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 3000);
    /** Safety net only: the default run takes well under this. */
    static final long MAX_MILLIS = Long.getLong("fuzz.minutes", 1L) * 60_000L - 10_000L;

    @Test
    void everyWritableFileOfTheDefaultMachine() {
        // bounded by the time cap (the run stops there) plus time for the rounds in flight
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMillis(MAX_MILLIS + 300_000L),
                this::fuzz);
    }

    private void fuzz() throws IOException {
        Fuzzer.Config c = new Fuzzer.Config(SEED, ITERATIONS, Integer.getInteger("fuzz.roundLength", 250),
                Integer.getInteger("fuzz.checkpointEvery", 125), MAX_MILLIS)
                .withJobs(Integer.getInteger("fuzz.jobs", Runtime.getRuntime().availableProcessors()));
        Fuzzer.Stats s = new Fuzzer(c).run();
        String report = s.report(c);
        System.out.println("[fuzz] " + report.replace("\n", "\n[fuzz] "));
        Path out = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        assertThat(s.inputs).as("inputs tried").isGreaterThan(0);
        assertThat(s.clean()).as(report).isTrue();
    }
}
