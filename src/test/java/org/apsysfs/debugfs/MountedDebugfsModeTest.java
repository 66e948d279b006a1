package org.apsysfs.debugfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.Sys.ProcResult;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control files live below kernel/debug, which stands for the debugfs root: mode 0700
 * owned by root (DEBUGFS_DEFAULT_MODE in fs/debugfs/inode.c), so no other user reaches them.
 */
@MountedSysfs(allowOther = true)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedDebugfsModeTest {
    @Test
    void onlyRootEntersKernelDebug(SysfsMount m) {
        assertThat(Sys.lstat(m.resolve("kernel/debug")).perm()).isEqualTo(0700);
        assertThat(Sys.read(m.resolve("kernel/debug/apsysfs/state"))).startsWith("{");
        for (String p : new String[] {"kernel/debug/apsysfs/state", "kernel/debug/apsysfs/dmesg",
            "kernel/debug/apsysfs/host/config"}) {
            ProcResult r = Sys.runAsNobody("cat", m.resolve(p).toString());
            assertThat(r.exitCode()).as(p).isNotZero();
            assertThat(Sys.errnoInMessage(r.stderr())).as(p + ": " + r.stderr()).isEqualTo(Errno.EACCES);
        }
        ProcResult ls = Sys.runAsNobody("ls", m.resolve("kernel/debug").toString());
        assertThat(Sys.errnoInMessage(ls.stderr())).as(ls.stderr()).isEqualTo(Errno.EACCES);
        // the rest of the tree stays world-readable
        ProcResult ok = Sys.runAsNobody("cat", m.resolve("bus/ap/bindings").toString());
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    }
}
