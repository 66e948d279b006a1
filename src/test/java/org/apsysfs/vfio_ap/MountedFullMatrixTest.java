package org.apsysfs.vfio_ap;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Output beyond a page: on the full machine one mdev holds all 65,536 APQNs. {@code matrix}
 * and {@code guest_matrix} then need 512 KiB; vfio_ap_mdev_matrix_show writes them into the
 * one-page sysfs buffer and sysfs_kf_seq_show (fs/sysfs/file.c) cuts a count of PAGE_SIZE or
 * more to PAGE_SIZE - 1: a reader gets the first 4095 bytes, and so it does here, with one
 * line in the kernel log per file. kernel/debug/apsysfs/whole_matrix 1 serves the whole list.
 */
@MountedSysfs
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedFullMatrixTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";

    @SysfsTree
    static Daemon tree() {
        return Daemon.create("full", new ManualClock());
    }

    @Test
    void oneMdevWithEveryApqn(Path mnt, Daemon d) {
        long t0 = System.nanoTime();
        var a = assertSysfs(mnt);
        String type = "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/";
        String dev = "devices/vfio_ap/matrix/" + U + "/";
        a.writing("bus/ap/apmask", "0x\n").succeeds();
        a.file("bus/ap/apmask").hasContent("0x" + "0".repeat(64) + "\n");
        a.file("bus/ap/bindings").hasContent("65536/65536 (complete)\n");
        a.writing(type + "create", U).succeeds();
        String all = "0x" + "f".repeat(64);
        a.writing(dev + "ap_config", all + "," + all + "," + all + "\n").succeeds();
        a.file(dev + "ap_config").hasContent(all + "," + all + "," + all + "\n");
        long seqBefore = d.kernel().log().sequence();

        // as a kernel: 4095 bytes, 511 whole lines and the 512th without its newline
        String cut = a.file(dev + "matrix").content();
        assertThat(cut).hasSize(4095).startsWith("00.0000\n00.0001\n").endsWith("\n01.00fe\n01.00ff");
        a.file(dev + "guest_matrix").hasContent(cut);
        a.file(dev + "matrix").hasContentReadInChunksOf(1000, cut);

        a.file("kernel/debug/apsysfs/whole_matrix").hasContent("0\n");
        a.writing("kernel/debug/apsysfs/whole_matrix", "1").succeeds();
        a.file("kernel/debug/apsysfs/whole_matrix").hasContent("1\n");
        String matrix = a.file(dev + "matrix").content();
        assertThat(matrix.length()).isEqualTo(65536 * 8);
        String[] lines = matrix.split("\n");
        assertThat(lines).hasSize(65536);
        assertThat(lines[0]).isEqualTo("00.0000");
        assertThat(lines[1]).isEqualTo("00.0001");
        assertThat(lines[256]).isEqualTo("01.0000");
        assertThat(lines[65535]).isEqualTo("ff.00ff");
        // cat's way (128 KiB reads) and small reads give the same bytes
        a.file(dev + "matrix").hasContentReadInChunksOf(4096, matrix);
        assertThat(Sys.sh("wc -l < '" + mnt.resolve(dev + "matrix") + "'").stdout().trim()).isEqualTo("65536");
        a.file(dev + "guest_matrix").hasContent(matrix);
        a.file(dev + "control_domains").contentMatches("(?s)0000\n0001\n.*00ff\n");
        assertThat(a.file(dev + "control_domains").content().split("\n")).hasSize(256);

        // one warning per file that outgrew the page, naming the limit, not one per read
        var warnings = d.kernel().log().lines().stream().filter(l -> l.contains("4096")).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings).anyMatch(l -> l.contains(U) && l.contains("matrix:") && l.contains("4096-byte"));
        assertThat(warnings).anyMatch(l -> l.contains(U) && l.contains("guest_matrix:"));
        assertThat(d.kernel().log().sequence() - seqBefore).isEqualTo(3); // and "whole_matrix 1"
        a.writing("kernel/debug/apsysfs/whole_matrix", "2").failsWith(org.apsysfs.kernel.Errno.EINVAL);
        a.writing("kernel/debug/apsysfs/whole_matrix", "off").succeeds();
        assertThat(a.file(dev + "matrix").content()).isEqualTo(cut);

        // every queue is in the mdev now: the host cannot take any back
        a.writing("bus/ap/apmask", "+0x80").failsWith(org.apsysfs.kernel.Errno.EBUSY);
        a.file("devices/ap/card80/80.0042/status").hasContent("assigned\n");
        a.writing(dev + "remove", "1").succeeds();
        a.file("devices/ap/card80/80.0042/status").hasContent("unassigned\n");
        assertThat(System.nanoTime() - t0).as("duration").isLessThan(20_000_000_000L);
    }
}
