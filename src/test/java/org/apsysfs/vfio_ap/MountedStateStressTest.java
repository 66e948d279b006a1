package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Clock;
import org.apsysfs.state.Simulation;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.junit.jupiter.api.AfterAll;

/**
 * The stress mix of {@link MountedStressTest} (with its blocking mdev removes and the host
 * thread's long fault injections) on a daemon with {@code --state FILE}: every store is saved
 * before its write returns, and the save may wait for nothing a blocked store holds, so the
 * watchdog's bound holds as without a state file; afterwards the file holds what the tree shows.
 */
class MountedStateStressTest extends MountedStressTest {
    static Path stateDir;
    static Simulation sim;

    @SysfsTree
    static Daemon tree() throws IOException {
        stateDir = Files.createTempDirectory("apsysfs-state-stress");
        sim = Simulation.withStateFile("default", Clock.system(), stateDir.resolve("state.json"));
        return sim.daemon();
    }

    @AfterAll
    static void removeStateFile() throws IOException {
        if (stateDir != null) {
            Files.deleteIfExists(stateDir.resolve("state.json"));
            try (var l = Files.list(stateDir)) {
                for (Path p : (Iterable<Path>) l::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(stateDir);
        }
    }

    @Override
    void afterRun() throws IOException {
        // what the file holds and what the tree shows never part
        assertThat(Files.readString(stateDir.resolve("state.json")))
                .isEqualTo(Sys.read(mnt.resolve("kernel/debug/apsysfs/state")));
    }
}
