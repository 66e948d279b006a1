package org.apsysfs.zcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The zcrypt multiple device nodes through the mount, against drivers/s390/crypto/zcrypt_api.c:
 * {@code zcdn_create_store}/{@code zcdn_create} (names, automatic {@code zcrypt_<minor>}, EEXIST,
 * the {@code ZCRYPT_MAX_MINOR_NODES} limit ENOSPC), {@code zcdn_destroy} (ENOENT), the mask
 * files ({@code ioctlmask_show}/{@code _store} etc. with {@code ap_parse_mask_str}), the class
 * device's {@code dev} file and uevents (MAJOR/MINOR/DEVNAME, {@code dev_uevent} in
 * drivers/base/core.c).
 */
@MountedSysfs(perTest = true)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZcryptNodesTest {
    static final String ZEROS = "0x" + "0".repeat(64) + "\n";

    static int write(Path mnt, String rel, String value) {
        return Sys.writeFile(mnt.resolve(rel), value).errno();
    }

    @Test
    void createNamesAndMinors(Path mnt) {
        // an empty (or all-blank) name: ZCRYPT_NAME "_%d" with the first free minor
        assertThat(write(mnt, "class/zcrypt/create", "\n")).isZero();
        assertThat(write(mnt, "class/zcrypt/create", " \t pod-a \n")).isZero();
        assertThat(Sys.readdir(mnt.resolve("devices/virtual/zcrypt"))).contains("zcrypt_0", "pod-a");
        assertThat(Sys.read(mnt.resolve("class/zcrypt/zcrypt_0/dev"))).isEqualTo("254:0\n");
        assertThat(Sys.read(mnt.resolve("class/zcrypt/pod-a/dev"))).isEqualTo("254:1\n");
        assertThat(Sys.readlink(mnt.resolve("class/zcrypt/pod-a"))).isEqualTo("../../devices/virtual/zcrypt/pod-a");
        assertThat(Sys.readlink(mnt.resolve("devices/virtual/zcrypt/pod-a/subsystem"))).isEqualTo("../../../../class/zcrypt");
        assertThat(Sys.readlink(mnt.resolve("dev/char/254:1"))).isEqualTo("../../devices/virtual/zcrypt/pod-a");
        // dev_uevent: MAJOR, MINOR, DEVNAME (no devnode callback: the device name)
        assertThat(Sys.read(mnt.resolve("devices/virtual/zcrypt/pod-a/uevent")))
                .isEqualTo("MAJOR=254\nMINOR=1\nDEVNAME=pod-a\n");
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents")))
                .contains("add /devices/virtual/zcrypt/pod-a (zcrypt)", "DEVNAME=pod-a");
        // a new node permits nothing (kzalloc'd ap_perms)
        for (String m : new String[] {"ioctlmask", "apmask", "aqmask", "admask"}) {
            assertThat(Sys.read(mnt.resolve("class/zcrypt/pod-a/" + m))).as(m).isEqualTo(ZEROS);
        }
        // destroy the first: its minor is free again and the next automatic name takes it
        assertThat(write(mnt, "class/zcrypt/destroy", "zcrypt_0")).isZero();
        assertThat(Sys.lstatErrno(mnt.resolve("class/zcrypt/zcrypt_0"))).isEqualTo(2);
        assertThat(Sys.lstatErrno(mnt.resolve("dev/char/254:0"))).isEqualTo(2);
        // an empty write never reaches the store (sysfs_kf_write returns 0 for no bytes)
        assertThat(write(mnt, "class/zcrypt/create", "")).isZero();
        assertThat(Sys.lstatErrno(mnt.resolve("class/zcrypt/zcrypt_0"))).isEqualTo(2);
        assertThat(write(mnt, "class/zcrypt/create", "\n")).isZero();
        assertThat(Sys.read(mnt.resolve("class/zcrypt/zcrypt_0/dev"))).isEqualTo("254:0\n");
        // the glue directory goes with the last node (cleanup_glue_dir)
        assertThat(write(mnt, "class/zcrypt/destroy", "zcrypt_0\n")).isZero();
        assertThat(write(mnt, "class/zcrypt/destroy", "pod-a")).isZero();
        assertThat(Sys.lstatErrno(mnt.resolve("devices/virtual/zcrypt"))).isEqualTo(2);
    }

    @Test
    void badNamesChangeNothing(Path mnt) {
        assertThat(write(mnt, "class/zcrypt/create", "pod")).isZero();
        String before = Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"));
        // find_zcdndev_by_name: EEXIST
        assertThat(write(mnt, "class/zcrypt/create", "pod")).isEqualTo(17);
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"))).isEqualTo(before);
        // device_register: the class link would clash with the class file (sysfs duplicate)
        assertThat(write(mnt, "class/zcrypt/create", "create")).isEqualTo(17);
        assertThat(write(mnt, "class/zcrypt/create", "destroy\n")).isEqualTo(17);
        // an automatic name clashing with a node of that name: "zcrypt_1" takes minor 1, so
        // the first free minor is 2 and fine; with "zcrypt_1" on minor 0 instead, the automatic
        // name of minor 1 is taken and device_register fails with EEXIST
        assertThat(write(mnt, "class/zcrypt/destroy", "pod")).isZero();
        assertThat(write(mnt, "class/zcrypt/create", "zcrypt_1")).isZero();
        assertThat(Sys.read(mnt.resolve("class/zcrypt/zcrypt_1/dev"))).isEqualTo("254:0\n");
        String mid = Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"));
        assertThat(write(mnt, "class/zcrypt/create", "\n")).isEqualTo(17);
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/uevents"))).isEqualTo(mid);
        assertThat(Sys.read(mnt.resolve("kernel/debug/apsysfs/dmesg")))
                .contains("sysfs: cannot create duplicate filename '/devices/virtual/zcrypt/zcrypt_1'");
        // destroy: unknown name ENOENT; a '/' is not turned into '!' for the lookup
        assertThat(write(mnt, "class/zcrypt/destroy", "nosuch")).isEqualTo(2);
        assertThat(write(mnt, "class/zcrypt/destroy", "\n")).isEqualTo(2);
        assertThat(write(mnt, "class/zcrypt/create", "a/b")).isZero();
        assertThat(Sys.readdir(mnt.resolve("class/zcrypt"))).contains("a!b");
        assertThat(Sys.read(mnt.resolve("class/zcrypt/a!b/uevent"))).contains("DEVNAME=a/b\n");
        assertThat(write(mnt, "class/zcrypt/create", "a/b")).isEqualTo(17);
        assertThat(write(mnt, "class/zcrypt/destroy", "a/b")).isEqualTo(2);
        assertThat(write(mnt, "class/zcrypt/destroy", "a!b")).isZero();
        // the class files have no show: class_attr_show gives EIO
        try {
            Sys.read(mnt.resolve("class/zcrypt/create"));
            throw new AssertionError("reading create succeeded");
        } catch (SysException e) {
            assertThat(e.errno()).isEqualTo(5);
        }
    }

    @Test
    void namesAreCutTo31Characters(Path mnt) {
        String longName = "n".repeat(40);
        assertThat(write(mnt, "class/zcrypt/create", "  " + longName + "\n")).isZero();
        assertThat(Sys.readdir(mnt.resolve("class/zcrypt"))).contains("n".repeat(31));
        // strscpy cuts first, strim after: trailing blanks inside the 31 are gone
        assertThat(write(mnt, "class/zcrypt/create", "m".repeat(29) + "   zz")).isZero();
        assertThat(Sys.readdir(mnt.resolve("class/zcrypt"))).contains("m".repeat(29));
        assertThat(write(mnt, "class/zcrypt/destroy", longName)).isZero();
    }

    @Test
    void theMinorLimitIsEnospc(Path mnt) {
        for (int i = 0; i < ZcryptApi.ZCRYPT_MAX_MINOR_NODES; i++) {
            assertThat(write(mnt, "class/zcrypt/create", "\n")).as("node %d", i).isZero();
        }
        assertThat(Sys.read(mnt.resolve("class/zcrypt/zcrypt_255/dev"))).isEqualTo("254:255\n");
        assertThat(write(mnt, "class/zcrypt/create", "\n")).isEqualTo(28);
        assertThat(write(mnt, "class/zcrypt/create", "named")).isEqualTo(28);
        assertThat(Sys.lstatErrno(mnt.resolve("class/zcrypt/named"))).isEqualTo(2);
    }

    @Test
    void masksParseLikeApParseMaskStr(Path mnt) {
        assertThat(write(mnt, "class/zcrypt/create", "m")).isZero();
        Path ap = mnt.resolve("class/zcrypt/m/apmask");
        assertThat(write(mnt, "class/zcrypt/m/apmask", "+5,+0x0b")).isZero();
        assertThat(Sys.read(ap)).isEqualTo("0x0410" + "0".repeat(60) + "\n");
        assertThat(write(mnt, "class/zcrypt/m/aqmask", "+0-3")).isZero();
        assertThat(Sys.read(mnt.resolve("class/zcrypt/m/aqmask"))).isEqualTo("0xf" + "0".repeat(63) + "\n");
        // ioctl numbers up to AP_IOCTLS - 1 = 255; admask takes domains like aqmask
        assertThat(write(mnt, "class/zcrypt/m/ioctlmask", "+255")).isZero();
        assertThat(Sys.read(mnt.resolve("class/zcrypt/m/ioctlmask"))).isEqualTo("0x" + "0".repeat(63) + "1\n");
        assertThat(write(mnt, "class/zcrypt/m/admask", "0x8")).isZero();
        assertThat(Sys.read(mnt.resolve("class/zcrypt/m/admask"))).isEqualTo("0x8" + "0".repeat(63) + "\n");
        // bad input: EINVAL, nothing changes
        for (String bad : new String[] {"+256", "5", "0X41", "+3-1", "+x", "-"}) {
            String want = bad.equals("5") ? null : Sys.read(ap);
            int e = write(mnt, "class/zcrypt/m/apmask", bad);
            if (want != null) {
                assertThat(e).as(bad).isEqualTo(22);
                assertThat(Sys.read(ap)).as(bad).isEqualTo(want);
            } else {
                // "5" is an absolute hex mask: ids 1 and 3 (0101)
                assertThat(e).isZero();
                assertThat(Sys.read(ap)).isEqualTo("0x5" + "0".repeat(63) + "\n");
            }
        }
        assertThat(write(mnt, "class/zcrypt/m/ioctlmask", "0x" + "f".repeat(65))).isEqualTo(22);
    }
}
