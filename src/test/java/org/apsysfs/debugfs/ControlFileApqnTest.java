package org.apsysfs.debugfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The control files take APQNs as AA.DDDD (two and four hex digits, each id 0..255). Found by
 * the fuzzer: "-1.0004", "+5.0004", "ff.ffff" and "05.1004" were accepted, the last two as a
 * different queue (the domain's high bits ran into the adapter: 05.1004 became 15.0004).
 */
@MountedSysfs
class ControlFileApqnTest {

    @ParameterizedTest
    @ValueSource(strings = {"-1.0004", "+5.0004", "ff.ffff", "05.1004", "05.0100", "05.-004", "05.+004", "0x.0004"})
    void faultsRefuseAnApqnOutOfRange(String apqn, Path mnt) {
        Path faults = mnt.resolve("kernel/debug/apsysfs/faults");
        String before = Sys.read(faults);
        assertThat(Sys.writeFile(faults, "zapq " + apqn + " BUSY\n").errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(Sys.writeFile(faults, "reset_delay " + apqn + " 10\n").errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(Sys.writeFile(faults, "clear " + apqn + "\n").errno()).isEqualTo(Errno.EINVAL.code());
        assertThat(Sys.read(faults)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1.0004", "+5.0004", "ff.ffff", "05.1004", "05.0100", "05.-004"})
    void pqapRefusesAnApqnOutOfRange(String apqn, Path mnt) {
        Path g = mnt.resolve("kernel/debug/apsysfs/guests/");
        if (Sys.lstatErrno(g.resolve("fz")) != 0) {
            assertThat(Sys.writeFile(g.resolve("create"), "fz\n").ok()).isTrue();
        }
        Path pqap = g.resolve("fz/pqap");
        String before = Sys.read(pqap);
        for (String cmd : new String[] {"tapq " + apqn, "nqap " + apqn, "aqic " + apqn + " disable"}) {
            assertThat(Sys.writeFile(pqap, cmd + "\n").errno()).as(cmd).isEqualTo(Errno.EINVAL.code());
        }
        assertThat(Sys.read(pqap)).isEqualTo(before);
    }
}
