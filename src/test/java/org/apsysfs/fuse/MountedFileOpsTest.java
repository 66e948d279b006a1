package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Opens, reads and maps of attributes through the mount, answered as sysfs answers them. */
@MountedSysfs
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedFileOpsTest {
    @Test
    void anODirectOpenIsInvalid(Path mnt) {
        // do_dentry_open (fs/open.c): O_DIRECT without FMODE_CAN_ODIRECT is EINVAL, checked after
        // kernfs_fop_open (so a write open of a read-only attribute is EACCES first); kernfs
        // inodes have no ->direct_IO
        Path type = mnt.resolve("devices/ap/card04/type");
        assertThat(Sys.open(type, Sys.O_RDONLY | Sys.O_DIRECT)).isEqualTo(-Errno.EINVAL.code());
        assertThat(Sys.open(mnt.resolve("bus/ap/apmask"), Sys.O_WRONLY | Sys.O_DIRECT))
                .isEqualTo(-Errno.EINVAL.code());
        assertThat(Sys.open(type, Sys.O_WRONLY | Sys.O_DIRECT)).isEqualTo(-Errno.EACCES.code());
        int fd = Sys.open(type, Sys.O_RDONLY);
        assertThat(fd).isNotNegative();
        Sys.close(fd);
    }

    @Test
    void aSharedMappingIsRefused(Path mnt) {
        // kernfs_fop_mmap (fs/kernfs/file.c): -ENODEV for every attribute without KERNFS_HAS_MMAP
        // (all but binary attributes). FUSE refuses a shared mapping of a direct_io file the same
        // way; a private mapping never reaches the daemon (the FUSE kernel module maps it from
        // the page cache), so it cannot be refused from here (fs-layout/README.md says so).
        int fd = Sys.open(mnt.resolve("devices/ap/card04/type"), Sys.O_RDONLY);
        assertThat(fd).isNotNegative();
        try {
            assertThat(Sys.mmapPage(fd, true)).isEqualTo(-Errno.ENODEV.code());
            assertThat(Sys.mmapPage(fd, false)).as("a private mapping (not refusable through FUSE)").isZero();
        } finally {
            Sys.close(fd);
        }
    }

    @Test
    void autosuspendDelayIsAnIoErrorAtEveryOffset(Path mnt) {
        // autosuspend_delay_ms_show/_store (drivers/base/power/sysfs.c): -EIO while
        // dev->power.use_autosuspend is false, which it is for every device here (nothing calls
        // pm_runtime_use_autosuspend); the store checks it before parsing
        for (String dev : new String[] {"devices/ap", "devices/ap/card04", "devices/ap/card04/04.0004",
            "devices/vfio_ap/matrix"}) {
            Path p = mnt.resolve(dev + "/power/autosuspend_delay_ms");
            int fd = Sys.open(p, Sys.O_RDONLY);
            assertThat(fd).as(dev).isNotNegative();
            try {
                assertThat(Sys.readErrno(fd, 4096)).as(dev).isEqualTo(Errno.EIO.code());
                assertThat(Sys.preadErrno(fd, 10, 3)).as(dev).isEqualTo(Errno.EIO.code());
            } finally {
                Sys.close(fd);
            }
            assertThat(Sys.writeFile(p, "100").errno()).as(dev).isEqualTo(Errno.EIO.code());
            assertThat(Sys.writeFile(p, "x").errno()).as(dev).isEqualTo(Errno.EIO.code());
        }
    }
}
