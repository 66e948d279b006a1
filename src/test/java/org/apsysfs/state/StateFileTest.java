package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StateFile}: what a save never opens, what a read refuses. */
class StateFileTest {
    @TempDir
    Path dir;

    @Test
    void aSaveNeverFollowsASymlinkPlantedUnderTheTemporaryName() throws Exception {
        Path victim = dir.resolve("root-only");
        Files.writeString(victim, "precious\n");
        Path state = dir.resolve("state.json");
        // the name the temporary file had before: another user plants it in a shared directory
        Files.createSymbolicLink(dir.resolve(".state.json.tmp"), victim);
        StateFile f = new StateFile(state);
        f.write("{\"one\": 1}");
        f.write("{\"two\": 2}");
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(Files.readString(state)).isEqualTo("{\"two\": 2}");
        assertThat(Files.isSymbolicLink(state)).isFalse();
        assertThat(Files.isSymbolicLink(dir.resolve(".state.json.tmp"))).isTrue();
        // nothing else is left next to it, and the state is private to its owner
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(".state.json.tmp", "root-only", "state.json");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
    }

    @Test
    void leftoverTemporariesOfAKilledDaemonAreRemovedButNotSymlinksOrOtherFiles() throws Exception {
        Path state = dir.resolve("s.json");
        Path left = dir.resolve(".s.json.123456.tmp");
        Files.writeString(left, "half");
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep");
        Path link = dir.resolve(".s.json.999.tmp");
        Files.createSymbolicLink(link, victim);
        Path other = dir.resolve(".t.json.1.tmp");
        Files.writeString(other, "another state's");
        new StateFile(state).removeStaleTemporaries();
        assertThat(left).doesNotExist();
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(victim)).isEqualTo("keep");
        assertThat(other).exists();
    }

    @Test
    void aFileLargerThanAStateCanBeIsRefusedWithoutReadingIt() throws Exception {
        Path big = dir.resolve("big.json");
        try (RandomAccessFile r = new RandomAccessFile(big.toFile(), "rw")) {
            r.setLength(400L << 20); // sparse: 400 MB that take no disk
        }
        assertThatThrownBy(() -> new StateFile(big).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("larger than a state can be");
        Path limit = dir.resolve("limit.json");
        try (RandomAccessFile r = new RandomAccessFile(limit.toFile(), "rw")) {
            r.setLength(StateFile.MAX_BYTES);
        }
        assertThat(new StateFile(limit).read()).hasSize((int) StateFile.MAX_BYTES);
    }

    @Test
    void aFifoIsRefusedAtOnceInsteadOfBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.json");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        CompletableFuture<Throwable> r = CompletableFuture.supplyAsync(() -> {
            try {
                new StateFile(fifo).read();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable t;
        try {
            t = r.get(10, TimeUnit.SECONDS);
        } finally {
            if (!r.isDone()) {
                // unblock the open so the thread ends
                try (var w = new java.io.FileOutputStream(fifo.toFile())) {
                    w.flush();
                }
            }
        }
        assertThat(t).isInstanceOf(StateException.class).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> new StateFile(Path.of("/dev/zero")).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("not a regular file");
    }
}
