package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KernelCache}: the kernel keeps entries and attributes, and every change kernfs makes
 * (a name added, removed or re-created, a link re-pointed, mode/owner/times, a link count)
 * reaches it before the change returns, so nothing stale is ever seen (what kernfs'
 * {@code kernfs_dop_revalidate} and {@code kernfs_refresh_inode} in fs/kernfs/ give real
 * sysfs). Changes are made in-process here, so the invalidation cannot come from a request.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(KernelCacheOn.class)
class KernelCacheTest {
    private final List<SysfsMount> mounts = new ArrayList<>();
    private Kernfs fs;
    private KernfsDir deep;
    private KernfsDir dyn;
    private static final AttributeGroup<Object> WHO = AttributeGroup.of(Attribute.ro("who", o -> "x\n"));

    /** /perm (permanent) / deep (permanent) / dyn (not) / who. */
    private SysfsMount mount(boolean singleThreaded) {
        fs = new Kernfs(new ManualClock(), new KernelLog(new ManualClock()));
        deep = fs.root().mkdir("perm").markPermanent().mkdir("deep").markPermanent();
        dyn = deep.mkdir("dyn");
        dyn.addGroup(WHO, new Object());
        SysfsMount m = SysfsMount.mount(fs, null, false, singleThreaded);
        mounts.add(m);
        return m;
    }

    @AfterEach
    void unmount() {
        for (SysfsMount m : mounts) {
            m.close();
        }
    }

    @Test
    void multiThreadedMountsCacheEveryEntryAndAttribute() {
        SysfsMount m = mount(false);
        KernelCache cache = m.fuseMount().loop().cache();
        assertThat(cache.mode()).isEqualTo(KernelCache.Mode.CACHE);
        assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        long after = cache.cachedReplies();
        // perm, deep, dyn, who: one LOOKUP each (the mount point's own getattr may add one)
        assertThat(after).isBetween(4L, 6L);
        for (int i = 0; i < 20; i++) {
            assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        }
        assertThat(cache.cachedReplies()).as("no LOOKUP or GETATTR after the first walk").isEqualTo(after);
        // a read makes the kernel forget the atime (fuse_invalidate_atime, fs/fuse/file.c):
        // one GETATTR for the first stat after it, then none
        for (int i = 0; i < 20; i++) {
            assertThat(Sys.stat(m.resolve("perm/deep/dyn/who")).perm()).isEqualTo(0444);
            assertThat(Sys.stat(m.resolve("perm/deep")).perm()).isEqualTo(0755);
        }
        assertThat(cache.cachedReplies()).isEqualTo(after + 1);
    }

    @Test
    void aRemovedOrRecreatedNameIsSeenAtOnce() {
        SysfsMount m = mount(false);
        assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        dyn.remove();
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn"))).isEqualTo(2); // ENOENT
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn/who"))).isEqualTo(2);
        assertThat(Sys.readdir(m.resolve("perm/deep"))).containsExactlyInAnyOrder(".", "..");
        // the negative entry is gone as soon as the name is there again
        KernfsDir again = deep.mkdir("dyn");
        again.mkdir("inner");
        assertThat(Sys.readdir(m.resolve("perm/deep/dyn"))).containsExactlyInAnyOrder(".", "..", "inner");
        assertThat(Sys.lstat(m.resolve("perm/deep/dyn/inner")).isDirectory()).isTrue();
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn/who"))).isEqualTo(2);
        // an attribute table bound later: its names appear although they were looked up missing
        again.addGroup(WHO, new Object());
        assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        again.removeGroup(WHO);
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn/who"))).isEqualTo(2);
    }

    @Test
    void aLinkRecreatedWithAnotherTargetReadsTheNewTarget() {
        SysfsMount m = mount(false);
        KernfsDir a = deep.mkdir("a");
        KernfsDir b = deep.mkdir("b");
        fs.root().symlink("l", a);
        assertThat(Sys.readlink(m.resolve("l"))).isEqualTo("perm/deep/a");
        assertThat(Sys.stat(m.resolve("l")).isDirectory()).isTrue();
        fs.root().removeChild("l");
        fs.root().symlink("l", b);
        assertThat(Sys.readlink(m.resolve("l"))).isEqualTo("perm/deep/b");
        fs.root().removeChild("l");
        fs.root().mkdir("l");
        assertThat(Sys.lstat(m.resolve("l")).isDirectory()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void modeOwnerTimesAndLinkCountAreSeenAtOnce(boolean singleThreaded) {
        SysfsMount m = mount(singleThreaded);
        assertThat(Sys.stat(m.resolve("perm/deep")).perm()).isEqualTo(0755);
        assertThat(Sys.stat(m.resolve("perm/deep/dyn/who")).mtime()).isEqualTo(Sys.stat(m.resolve("perm/deep/dyn")).ctime());
        fs.chmod(fs.lookup("/perm/deep"), 0700, Cred.ROOT);
        assertThat(Sys.stat(m.resolve("perm/deep")).perm()).isEqualTo(0700);
        fs.chown(fs.lookup("/perm/deep/dyn/who"), 12, 34, Cred.ROOT);
        assertThat(Sys.stat(m.resolve("perm/deep/dyn/who")).uid()).isEqualTo(12);
        assertThat(Sys.stat(m.resolve("perm/deep/dyn/who")).gid()).isEqualTo(34);
        // an attribute shows its directory's ctime: utimens of the directory moves it
        fs.utimens(fs.lookup("/perm/deep/dyn"), 1_000_000_000_000L, 1_000_000_000_000L, Cred.ROOT);
        long ctime = Sys.stat(m.resolve("perm/deep/dyn")).ctime();
        assertThat(Sys.stat(m.resolve("perm/deep/dyn")).mtime()).isEqualTo(1_000_000_000L);
        assertThat(Sys.stat(m.resolve("perm/deep/dyn/who")).mtime()).isEqualTo(ctime);
        // nlink follows the subdirectories
        assertThat(Sys.stat(m.resolve("perm/deep")).nlink()).isEqualTo(3);
        deep.mkdir("more");
        assertThat(Sys.stat(m.resolve("perm/deep")).nlink()).isEqualTo(4);
        deep.removeChild("more");
        assertThat(Sys.stat(m.resolve("perm/deep")).nlink()).isEqualTo(3);
    }

    @Test
    void singleThreadedMountsKeepOnlyPermanentDirectories() {
        SysfsMount m = mount(true);
        KernelCache cache = m.fuseMount().loop().cache();
        assertThat(cache.mode()).isEqualTo(KernelCache.Mode.PERMANENT);
        for (int i = 0; i < 20; i++) {
            assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        }
        // perm and deep: one LOOKUP each, then the kernel's dentries serve every later walk
        assertThat(cache.cachedReplies()).isEqualTo(2);
        dyn.remove();
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn"))).isEqualTo(2);
        deep.mkdir("dyn");
        assertThat(Sys.lstat(m.resolve("perm/deep/dyn")).isDirectory()).isTrue();
        assertThat(cache.entryInvalidations()).isZero();
    }
}
