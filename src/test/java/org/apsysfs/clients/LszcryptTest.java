package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real lszcrypt (s390-tools) reading the mounted tree as {@code /sys}. */
@MountedSysfs
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LszcryptTest {
    static final Duration T = Duration.ofSeconds(60);

    static Result lszcrypt(Path mnt, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(mnt.toString(), "--", S390Tools.bin("lszcrypt")));
        cmd.addAll(List.of(args));
        return ApsysfsShell.run(cmd, Map.of(), null, T);
    }

    @Test
    void qdepthIsTheCardsDepthFile(Path mnt) {
        // lszcrypt prints the card's depth file with "%02d" in QDEPTH; depth_show (ap_card.c)
        // prints hwinfo.qd + 1: the default machine's qd field 7 gives 08
        Result r = lszcrypt(mnt, "-V", "04");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).isEqualTo("""
                CARD.DOM TYPE  MODE        STATUS     REQUESTS  PENDING HWTYPE QDEPTH FUNCTIONS  DRIVER    \s
                --------------------------------------------------------------------------------------------
                04       CEX8C CCA-Coproc  online            0        0     14     08 S--D--N--- cex4card  \s
                04.0004  CEX8C CCA-Coproc  online            0        0     14     08 S--D--N--- cex4queue \s
                04.0005  CEX8C CCA-Coproc  online            0        0     14     08 S--D--N--- cex4queue \s
                04.0047  CEX8C CCA-Coproc  online            0        0     14     08 S--D--N--- cex4queue \s
                04.0054  CEX8C CCA-Coproc  online            0        0     14     08 S--D--N--- cex4queue \s
                """);
    }
}
