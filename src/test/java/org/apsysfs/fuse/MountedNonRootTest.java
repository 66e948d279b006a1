package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.Sys.ProcResult;
import org.apsysfs.testing.SysfsMount;
import org.apsysfs.testing.SysfsTree;
import org.apsysfs.testing.TestTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Other users, through {@code --allow-other} (allow_other,default_permissions) and without it. */
@MountedSysfs(allowOther = true)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedNonRootTest {
    static TestTree t;

    @SysfsTree
    static Kernfs tree() {
        t = new TestTree();
        return t.fs;
    }

    private static String q(Path p) {
        return "'" + p + "'";
    }

    @Test
    void nobodyMayReadWorldReadableAttributes(SysfsMount m) {
        assertThat(m.allowOther()).isTrue();
        ProcResult r = Sys.runAsNobody("cat", m.resolve("devices/test/ro").toString(),
                m.resolve("devices/test/value").toString(), m.resolve("bus/test/devices/test0/power/control").toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("read-only\n" + t.value + t.control);
        ProcResult ls = Sys.runAsNobody("ls", m.resolve("devices/test").toString());
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        assertThat(ls.stdout()).contains("counter", "power", "subdir");
    }

    @Test
    void nobodyCannotReadARootOnlyAttribute(SysfsMount m) {
        ProcResult r = Sys.runAsNobody("cat", m.resolve("devices/test/secret").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EACCES);
        r = Sys.runAsNobody("cat", m.resolve("devices/test/wo").toString());
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EACCES);
    }

    @Test
    void nobodyGetsEaccesWritingAnyAttribute(SysfsMount m) {
        int stores = t.stores.size();
        for (String a : new String[] {"value", "wo", "ro", "power/control"}) {
            ProcResult r = Sys.runAsNobody("/bin/sh", "-c", "printf 1 > " + q(m.resolve("devices/test/" + a)));
            assertThat(r.exitCode()).as(a).isNotZero();
            assertThat(Sys.errnoInMessage(r.stderr())).as(a + ": " + r.stderr()).isEqualTo(Errno.EACCES);
        }
        // access(2) as nobody answers the same (test -w uses access with the effective ids)
        ProcResult r = Sys.runAsNobody("/bin/sh", "-c", "test -r " + q(m.resolve("devices/test/value"))
                + " && ! test -w " + q(m.resolve("devices/test/value"))
                + " && ! test -r " + q(m.resolve("devices/test/secret")));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(t.stores).hasSize(stores);
    }

    @Test
    void nobodyCannotChangeMetadata(SysfsMount m) {
        ProcResult r = Sys.runAsNobody("chmod", "666", m.resolve("devices/test/value").toString());
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EPERM);
        assertThat(Sys.lstat(m.resolve("devices/test/value")).perm()).isEqualTo(0644);
    }

    /**
     * sysfs honours the mode and owner root gives an attribute (kernfs_iop_setattr keeps them,
     * generic_permission checks them; udev rules such as {@code MODE="0666"} or {@code OWNER=}
     * rely on it): after {@code chmod 0666} anybody may write, after {@code chown nobody} the
     * owner bits are nobody's, after {@code chgrp} the group bits.
     */
    @Test
    void rootsChmodAndChownGrantWhatTheModeSays(SysfsMount m) {
        Path v = m.resolve("devices/test/value");
        String write = "printf %s > " + q(v);
        try {
            assertThat(Sys.run("chmod", "0666", v.toString()).exitCode()).isZero();
            ProcResult r = Sys.runAsNobody("/bin/sh", "-c", String.format(write, "by-mode"));
            assertThat(r.exitCode()).as("write after chmod 0666: " + r.stderr()).isZero();
            assertThat(Sys.read(v)).isEqualTo("by-mode");

            assertThat(Sys.run("chmod", "0644", v.toString()).exitCode()).isZero();
            assertThat(Sys.run("chown", "65534", v.toString()).exitCode()).isZero();
            r = Sys.runAsNobody("/bin/sh", "-c", String.format(write, "by-owner") + " && test -w " + q(v));
            assertThat(r.exitCode()).as("write as the owner: " + r.stderr()).isZero();
            assertThat(Sys.read(v)).isEqualTo("by-owner");

            assertThat(Sys.run("chown", "0:65534", v.toString()).exitCode()).isZero();
            r = Sys.runAsNobody("/bin/sh", "-c", String.format(write, "x"));
            assertThat(Sys.errnoInMessage(r.stderr())).as("0644 root:nobody, as nobody: " + r.stderr())
                    .isEqualTo(Errno.EACCES);
            assertThat(Sys.run("chmod", "0664", v.toString()).exitCode()).isZero();
            r = Sys.runAsNobody("/bin/sh", "-c", String.format(write, "by-group"));
            assertThat(r.exitCode()).as("write through the group bits: " + r.stderr()).isZero();
            assertThat(Sys.read(v)).isEqualTo("by-group");

            // the owner's bits apply to the owner even where others have more (generic_permission)
            assertThat(Sys.run("chown", "65534:0", v.toString()).exitCode()).isZero();
            assertThat(Sys.run("chmod", "0466", v.toString()).exitCode()).isZero();
            r = Sys.runAsNobody("/bin/sh", "-c", String.format(write, "x"));
            assertThat(Sys.errnoInMessage(r.stderr())).as("0466 as the owner: " + r.stderr()).isEqualTo(Errno.EACCES);
            assertThat(Sys.read(v)).isEqualTo("by-group");
        } finally {
            Sys.writeFile(v, "initial\n");
            Sys.run("chown", "0:0", v.toString());
            Sys.run("chmod", "0644", v.toString());
        }
        assertThat(Sys.lstat(v).perm()).isEqualTo(0644);
    }

    /** Without allow_other, FUSE keeps everyone but the mounting user out of the mount. */
    @Test
    @MountedSysfs
    void withoutAllowOtherNobodyCannotEnterTheMount(SysfsMount m) {
        assertThat(m.allowOther()).isFalse();
        ProcResult r = Sys.runAsNobody("ls", m.path().toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EACCES);
        r = Sys.runAsNobody("cat", m.resolve("devices/test/ro").toString());
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EACCES);
        // root still can, whatever its group (fuse_allow_current_process would want the
        // mounting gid too; the daemon mounts with allow_root so that root is root)
        assertThat(Sys.read(m.resolve("devices/test/ro"))).isEqualTo("read-only\n");
        r = Sys.runAs(0, 1000, "cat", m.resolve("devices/test/ro").toString());
        assertThat(r.exitCode()).as("uid 0, gid 1000: " + r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("read-only\n");
        r = Sys.runAs(0, 1000, "/bin/sh", "-c", "printf by-root-gid-1000 > " + q(m.resolve("devices/test/value")));
        assertThat(r.exitCode()).as("uid 0, gid 1000 writes: " + r.stderr()).isZero();
        assertThat(Sys.read(m.resolve("devices/test/value"))).isEqualTo("by-root-gid-1000");
        Sys.writeFile(m.resolve("devices/test/value"), "initial\n");
        // a user with root's group is not root
        r = Sys.runAs(1000, 0, "cat", m.resolve("devices/test/ro").toString());
        assertThat(Sys.errnoInMessage(r.stderr())).as(r.stderr()).isEqualTo(Errno.EACCES);
    }
}
