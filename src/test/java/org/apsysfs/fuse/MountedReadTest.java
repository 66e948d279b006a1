package org.apsysfs.fuse;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.apsysfs.testing.TestTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading through the mount: per-open snapshots, fresh content, a tree that changes. */
@MountedSysfs
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedReadTest {
    static TestTree t;

    @SysfsTree
    static Kernfs tree() {
        t = new TestTree();
        return t.fs;
    }

    @AfterEach
    void emptyDyn() {
        for (String n : t.dyn.list()) {
            t.dyn.removeChild(n);
        }
    }

    @Test
    void contentIsProducedOncePerOpenAndLaterReadsPageThroughTheSnapshot(Path mnt) {
        Path value = mnt.resolve("devices/test/value");
        t.value = "0123456789\n";
        int before = t.valueShows.get();
        int fd = Sys.open(value, Sys.O_RDONLY);
        assertThat(fd).isNotNegative();
        try {
            assertThat(Sys.read(fd, 4)).isEqualTo("0123");
            t.value = "abcdefghij\n"; // changes after the first read: the open file keeps its snapshot
            assertThat(Sys.read(fd, 4)).isEqualTo("4567");
            assertThat(Sys.read(fd, 100)).isEqualTo("89\n");
            assertThat(Sys.read(fd, 100)).isEmpty();
            assertThat(t.valueShows.get() - before).isEqualTo(1);
            // a read at offset 0 on the same descriptor regenerates (seq_file rewinds)
            assertThat(Sys.lseek(fd, 0, Sys.SEEK_SET)).isZero();
            assertThat(Sys.read(fd, 100)).isEqualTo("abcdefghij\n");
            assertThat(t.valueShows.get() - before).isEqualTo(2);
            // pread at a later offset pages the current snapshot, it does not call show
            assertThat(Sys.pread(fd, 3, 2)).isEqualTo("cde");
            assertThat(t.valueShows.get() - before).isEqualTo(2);
        } finally {
            Sys.close(fd);
        }
        t.value = "fresh\n";
        assertSysfs(mnt).file("devices/test/value").hasContent("fresh\n");
    }

    @Test
    void everyOpenSeesFreshContent(Path mnt) {
        String a = Sys.read(mnt.resolve("devices/test/counter"));
        String b = Sys.read(mnt.resolve("devices/test/counter"));
        assertThat(a).matches("count=\\d+\n");
        assertThat(b).matches("count=\\d+\n");
        assertThat(Integer.parseInt(b.substring(6).strip())).isEqualTo(Integer.parseInt(a.substring(6).strip()) + 1);
    }

    @Test
    void aReaderSeesAChangeMadeThroughTheModelAtOnce(Path mnt) {
        for (int i = 0; i < 20; i++) {
            t.value = "v" + i + "\n";
            assertSysfs(mnt).file("devices/test/value").hasContent("v" + i + "\n");
        }
    }

    @Test
    void smallReadsLikeCatPagingGiveOneConsistentValue(Path mnt) {
        int before = t.counterShows.get();
        String c = Sys.read(mnt.resolve("devices/test/counter"), 1);
        assertThat(c).isEqualTo("count=" + (before + 1) + "\n");
        assertThat(t.counterShows.get()).isEqualTo(before + 1);
    }

    @Test
    void anAttributeBiggerThanAPageIsReadWhole(Path mnt) {
        assertSysfs(mnt).file("devices/test/big")
                .hasContent(TestTree.BIG)
                .hasContentReadInChunksOf(4096, TestTree.BIG)
                .hasContentReadInChunksOf(7, TestTree.BIG)
                .isAttribute(0444);
    }

    @Test
    void aNewDirectoryIsVisibleTheMomentTheCallReturnsAndARemovedOneIsGoneAtOnce(Path mnt) {
        Path x = mnt.resolve("devices/dyn/x");
        Path attr = mnt.resolve("devices/dyn/x/value");
        for (int i = 0; i < 25; i++) {
            // probe first: no negative dentry may survive the creation
            assertThat(Files.exists(x)).isFalse();
            assertThat(Files.exists(attr)).isFalse();
            KernfsDir d = t.dyn.mkdir("x");
            d.addGroup(TestTree.ATTRS, t);
            assertThat(Files.isDirectory(x)).isTrue();
            assertThat(Files.exists(attr)).isTrue();
            assertSysfs(mnt).dir("devices/dyn").hasEntries("x");
            d.remove();
            assertThat(Files.exists(x)).isFalse();
            assertThat(Files.exists(attr)).isFalse();
            assertSysfs(mnt).dir("devices/dyn").hasEntries();
        }
    }

    @Test
    void linksAndGroupsAppearAndDisappearAtOnce(Path mnt) {
        AttributeGroup<Object> g = AttributeGroup.of(Attribute.constant("extra", "1\n"));
        t.dyn.addGroup(g, new Object());
        t.dyn.symlink("link", t.test);
        assertSysfs(mnt).file("devices/dyn/extra").hasContent("1\n");
        assertSysfs(mnt).file("devices/dyn/link").isLinkTo("../test");
        t.dyn.removeGroup(g);
        t.dyn.removeChild("link");
        assertSysfs(mnt).file("devices/dyn/extra").isAbsent();
        assertSysfs(mnt).file("devices/dyn/link").isAbsent();
    }

    @Test
    void anOpenAttributeOfARemovedObjectFailsWithEnodev(Path mnt) {
        KernfsDir d = t.dyn.mkdir("gone");
        d.addGroup(TestTree.ATTRS, t);
        int rfd = Sys.open(mnt.resolve("devices/dyn/gone/value"), Sys.O_RDONLY);
        int wfd = Sys.open(mnt.resolve("devices/dyn/gone/value"), Sys.O_WRONLY);
        assertThat(rfd).isNotNegative();
        assertThat(wfd).isNotNegative();
        try {
            d.remove();
            assertThat(Sys.readErrno(rfd, 100)).isEqualTo(Errno.ENODEV.code());
            assertThat(Sys.write(wfd, "1")).isEqualTo(-Errno.ENODEV.code());
        } finally {
            Sys.close(rfd);
            Sys.close(wfd);
        }
        assertSysfs(mnt).file("devices/dyn/gone").isAbsent();
    }

    @Test
    void anUnexpectedExceptionInShowIsEioAndTheDaemonKeepsServing(Path mnt) {
        assertSysfs(mnt).file("devices/test/boom").readFailsWith(Errno.EIO);
        assertSysfs(mnt).writing("devices/test/boom", "1").writeFailsWith(Errno.EIO);
        assertThat(t.log.text()).contains("internal error in read /devices/test/boom")
                .contains("internal error in write /devices/test/boom");
        assertSysfs(mnt).file("devices/test/ro").hasContent("read-only\n");
        assertSysfs(mnt).writing("devices/test/value", "still\n").succeeds();
        assertSysfs(mnt).file("devices/test/value").hasContent("still\n");
    }

    @Test
    void concurrentReadersEachSeeAWholeValue(Path mnt) throws Exception {
        Path big = mnt.resolve("devices/test/big");
        List<Thread> threads = new ArrayList<>();
        List<String> bad = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread th = new Thread(() -> {
                for (int j = 0; j < 20; j++) {
                    String s = Sys.read(big, 1000);
                    if (!s.equals(TestTree.BIG)) {
                        bad.add(s.length() + " bytes");
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(20_000);
        }
        assertThat(bad).isEmpty();
    }
}
