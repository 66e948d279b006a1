package org.apsysfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.SysfsClient;
import org.junit.jupiter.api.Test;

/**
 * The two {@link SysfsClient}s answer alike: the same content, links, entries and errno
 * through the mount (real system calls) as in-process, and {@link SysfsAssert} holds for both.
 * The errno are kernfs's: {@code kernfs_fop_open} refuses a write-only file for reading and a
 * read-only one for writing with EACCES (fs/kernfs/file.c), a refused store returns its own.
 */
@MountedSysfs(perTest = true)
class SysfsClientsTest {
    private TestTree tree;

    @SysfsTree
    Kernfs tree() {
        tree = new TestTree();
        return tree.kernfs();
    }

    private List<SysfsClient> clients(Path mnt) {
        return List.of(new MountedClient(mnt), new InProcessClient(tree.kernfs()));
    }

    @Test
    void bothClientsReadWriteAndListAlike(Path mnt) {
        for (SysfsClient c : clients(mnt)) {
            String who = c.getClass().getSimpleName();
            assertThat(c.read("devices/test/ro")).as(who).isEqualTo("read-only\n");
            assertThat(c.read("/devices/test/big")).as(who).isEqualTo(TestTree.BIG);
            assertThat(c.read("bus/test/devices/test0/ro")).as(who + ": through a link").isEqualTo("read-only\n");
            assertThat(c.readlink("bus/test/devices/test0")).as(who).isEqualTo("../../../devices/test");
            assertThat(c.list("devices/test")).as(who).containsExactlyInAnyOrder("counter", "value", "wo", "ro",
                    "big", "secret", "boom", "busy", "power", "subdir");
            assertThat(c.exists("devices/test/power/control")).as(who).isTrue();
            assertThat(c.exists("devices/test/nothing")).as(who).isFalse();

            assertThat(c.tryWrite("devices/test/value", "v-" + who + "\n")).as(who).isNull();
            assertThat(c.read("devices/test/value")).as(who).isEqualTo("v-" + who + "\n");
            SysfsClient.Write busy = c.write("devices/test/busy", "1\n");
            assertThat(busy.openErrno()).as(who).isNull();
            assertThat(busy.writeErrno()).as(who).isEqualTo(Errno.EBUSY);
            assertThat(c.write("devices/test/ro", "x").openErrno()).as(who).isEqualTo(Errno.EACCES);
            assertThatThrownBy(() -> c.read("devices/test/wo")).as(who).isInstanceOfSatisfying(KernelException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EACCES));
            assertThatThrownBy(() -> c.readlink("devices/test/ro")).as(who)
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> c.list("devices/nothing")).as(who)
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
        assertThat(tree.stores).containsExactly("v-MountedClient\n", "v-InProcessClient\n");
    }

    @Test
    void sysfsAssertHoldsInProcessAndMounted(Path mnt) {
        for (SysfsClient c : clients(mnt)) {
            SysfsAssert.MountAssert a = SysfsAssert.assertSysfs(c);
            a.file("devices/test/ro").hasContent("read-only\n").exists();
            a.file("class/test/test0").isLinkTo("../../devices/test");
            a.file("devices/test/absent").isAbsent();
            a.file("devices/test/wo").readFailsWith(Errno.EACCES);
            a.dir("devices/test/power").hasEntries("control");
            a.writing("devices/test/busy", "1\n").writeFailsWith(Errno.EBUSY);
            a.writing("devices/test/ro", "1\n").openFailsWith(Errno.EACCES);
            a.writing("devices/test/power/control", "on\n").succeeds();
            a.file("devices/test/power/control").hasContent("on\n");
            assertThatThrownBy(() -> a.file("devices/test/ro").hasContent("other\n"))
                    .isInstanceOf(AssertionError.class);
        }
    }
}
