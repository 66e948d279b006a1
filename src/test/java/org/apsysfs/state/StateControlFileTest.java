package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.apsysfs.fuzz.TreeSnapshot;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code kernel/debug/apsysfs/state} through a real mount: dump, change, load back. */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StateControlFileTest {
    private static final String STATE = SysfsPaths.DEBUG + "state";
    private static final String TYPE = SysfsPaths.MDEV_TYPE;

    @Test
    void aSavedStateLoadsBackOverLaterChanges(Path mnt) {
        assertThat(Sys.writeFile(mnt.resolve("bus/ap/apmask"), "-4,-5\n").ok()).isTrue();
        String u = UUID.randomUUID().toString();
        assertThat(Sys.writeFile(mnt.resolve(TYPE + "create"), u + "\n").ok()).isTrue();
        assertThat(Sys.writeFile(mnt.resolve("devices/vfio_ap/matrix/" + u + "/assign_adapter"), "5\n").ok()).isTrue();
        String saved = Sys.read(mnt.resolve(STATE));
        assertThat(saved).startsWith("{").endsWith("}\n").contains(u, "\"0x05\"");
        TreeSnapshot before = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);

        // later changes
        assertThat(Sys.writeFile(mnt.resolve("devices/vfio_ap/matrix/" + u + "/remove"), "1\n").ok()).isTrue();
        assertThat(Sys.writeFile(mnt.resolve("bus/ap/apmask"), "+4,+5\n").ok()).isTrue();
        int stale = Sys.open(mnt.resolve("bus/ap/apmask"), 0);

        // load the saved state, padded past several pages so that it takes many writes
        String padded = saved.replace("\n", "\n" + " ".repeat(400));
        assertThat(padded.length()).isGreaterThan(3 * 4096);
        int fd = Sys.open(mnt.resolve(STATE), 1);
        byte[] b = padded.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < b.length; off += 1000) {
            byte[] chunk = java.util.Arrays.copyOfRange(b, off, Math.min(b.length, off + 1000));
            assertThat(Sys.pwrite(fd, chunk, off)).isEqualTo(chunk.length);
        }
        assertThat(Sys.close(fd)).isZero();

        TreeSnapshot after = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);
        assertThat(before.diff(after)).as("tree after loading the saved state").isNull();
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg"))).contains("apsysfs: state: loaded");
        // a file opened before the load belongs to the system that is gone
        assertThat(Sys.readErrno(stale, 100)).isEqualTo(19 /* ENODEV */);
        Sys.close(stale);
    }

    @Test
    void badStatesAreRefusedAndChangeNothing(Path mnt) {
        TreeSnapshot before = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);
        String saved = Sys.read(mnt.resolve(STATE));

        WriteResult notJson = Sys.writeFile(mnt.resolve(STATE), "{ this is not json }\n");
        assertThat(notJson.errno()).isEqualTo(22);
        WriteResult notObject = Sys.writeFile(mnt.resolve(STATE), "[1, 2");
        assertThat(notObject.errno()).isEqualTo(22);
        WriteResult wrongField = Sys.writeFile(mnt.resolve(STATE), saved.replace("\"poll_thread\"", "\"poll_threads\""));
        assertThat(wrongField.errno()).isEqualTo(22);
        WriteResult sharing = Sys.writeFile(mnt.resolve(STATE), saved.replace("\"mdevs\" : [ ]",
                "\"mdevs\" : [ {\"uuid\": \"" + UUID.randomUUID() + "\", \"type\": \"vfio_ap-passthrough\", "
                        + "\"adapters\": [\"0x04\"], \"domains\": [\"0x0004\"], \"control_domains\": []} ]"));
        assertThat(sharing.errno()).as("an mdev on queues the default drivers own").isEqualTo(22);
        // a truncated document is only kept until close: nothing happens
        WriteResult half = Sys.writeFile(mnt.resolve(STATE), saved.substring(0, saved.length() / 2));
        assertThat(half.ok()).isTrue();

        TreeSnapshot after = TreeSnapshot.ofMount(mnt, StateRoundTripTest.NOT_STATE);
        assertThat(before.diff(after)).isNull();
        String dmesg = Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg"));
        assertThat(dmesg).contains("apsysfs: state: refused: state: not valid JSON",
                "apsysfs: state: refused: bus.poll_threads: unknown field",
                "apsysfs: state: refused: a state is a JSON object ({...}), this starts with '['",
                "mdevs[0]: cannot be restored: writing", "EADDRNOTAVAIL",
                "apsysfs: state: incomplete document discarded");
    }

    @Test
    void aDocumentIsBoundedAndItsMemoryGivenBackOnClose(Path mnt) {
        int fd = Sys.open(mnt.resolve(STATE), 1);
        byte[] chunk = ("{\"a\":[" + "0,".repeat(64 * 1024 - 4)).getBytes(StandardCharsets.US_ASCII);
        long off = 0;
        int errno = 0;
        while (off <= KernfsOpenFileLimits.MAX_DOCUMENT) {
            long n = Sys.pwrite(fd, chunk, off);
            if (n < 0) {
                errno = (int) -n;
                break;
            }
            off += n;
        }
        Sys.close(fd);
        assertThat(errno).as("write past %d bytes", KernfsOpenFileLimits.MAX_DOCUMENT).isEqualTo(27 /* EFBIG */);
        assertThat(off).isLessThanOrEqualTo(KernfsOpenFileLimits.MAX_DOCUMENT);
        // the budget is back: a normal load still works
        String saved = Sys.read(mnt.resolve(STATE));
        assertThat(Sys.writeFile(mnt.resolve(STATE), saved).ok()).isTrue();
    }

    /** The limits of document control files. */
    private static final class KernfsOpenFileLimits {
        static final int MAX_DOCUMENT = org.apsysfs.sysfs.KernfsOpenFile.MAX_DOCUMENT;
    }
}
