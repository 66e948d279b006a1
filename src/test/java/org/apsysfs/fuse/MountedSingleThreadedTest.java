package org.apsysfs.fuse;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.apsysfs.testing.SysfsTree;
import org.apsysfs.testing.TestTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same semantics when every request is served on one thread (FUSE -s). */
@MountedSysfs(singleThreaded = true)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedSingleThreadedTest {
    static TestTree t;

    @SysfsTree
    static Kernfs tree() {
        t = new TestTree();
        return t.fs;
    }

    @Test
    void readsWritesAndErrorsBehaveAsMultiThreaded(SysfsMount m) {
        assertThat(m.singleThreaded()).isTrue();
        Path mnt = m.path();
        assertSysfs(mnt).file("devices/test/big").hasContentReadInChunksOf(4096, TestTree.BIG);
        assertSysfs(mnt).writing("devices/test/value", "st\n").succeeds();
        assertSysfs(mnt).file("devices/test/value").hasContent("st\n").isAttribute(0644);
        assertSysfs(mnt).writing("devices/test/busy", "1").writeFailsWith(Errno.EBUSY);
        assertSysfs(mnt).writing("devices/test/ro", "1").openFailsWith(Errno.EACCES);
        assertSysfs(mnt).file("devices/test/boom").readFailsWith(Errno.EIO);
        assertSysfs(mnt).file("class/test/test0").isLinkTo("../../devices/test");
        assertThat(Sys.sh("echo 9 > '" + mnt.resolve("devices/test/value") + "' && cat '"
                + mnt.resolve("devices/test/value") + "'").stdout()).isEqualTo("9\n");
    }

    @Test
    void dynamicDirectoriesAreVisibleAtOnce(Path mnt) {
        Path x = mnt.resolve("devices/dyn/st");
        assertThat(Files.exists(x)).isFalse();
        t.dyn.mkdir("st");
        assertThat(Files.isDirectory(x)).isTrue();
        t.dyn.removeChild("st");
        assertThat(Files.exists(x)).isFalse();
    }
}
