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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EntryTimeouts}: the kernel keeps the dentries of permanent directories, looks up
 * everything else on every walk, and nothing a user sees changes.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EntryTimeoutsTest {
    private final List<SysfsMount> mounts = new ArrayList<>();
    private Kernfs fs;
    private KernfsDir dyn;

    /** /perm (permanent) / deep (permanent) / dyn (not) / who; /perm/deep/gone comes and goes. */
    private SysfsMount mount(boolean singleThreaded) {
        fs = new Kernfs(new ManualClock(), new KernelLog(new ManualClock()));
        KernfsDir deep = fs.root().mkdir("perm").markPermanent().mkdir("deep").markPermanent();
        dyn = deep.mkdir("dyn");
        dyn.addGroup(AttributeGroup.of(Attribute.ro("who", o -> "x\n")), new Object());
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

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void permanentDirectoriesAreLookedUpOnceAndTheRestEveryTime(boolean singleThreaded) {
        SysfsMount m = mount(singleThreaded);
        FuseLoop loop = m.fuseMount().loop();
        assertThat(loop.permanentEntriesSent()).as("the hook is installed").isZero();
        for (int i = 0; i < 20; i++) {
            assertThat(Sys.read(m.resolve("perm/deep/dyn/who"))).isEqualTo("x\n");
        }
        // perm and deep: one LOOKUP each, then the kernel's dentries serve every later walk
        assertThat(loop.permanentEntriesSent()).isEqualTo(2);

        // dyn is still looked up on each walk: once gone, it is gone at once ...
        dyn.remove();
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn"))).isEqualTo(2); // ENOENT
        assertThat(Sys.readdir(m.resolve("perm/deep"))).containsExactlyInAnyOrder(".", "..");
        // ... and a new one with the same name is there at once
        KernfsDir again = ((KernfsDir) fs.lookup("/perm/deep")).mkdir("dyn");
        again.mkdir("inner");
        assertThat(Sys.readdir(m.resolve("perm/deep/dyn"))).containsExactlyInAnyOrder(".", "..", "inner");
        assertThat(Sys.lstatErrno(m.resolve("perm/deep/dyn/who"))).isEqualTo(2);
        assertThat(loop.permanentEntriesSent()).isEqualTo(2);
    }

    @Test
    void aPermanentDirectorysAttributesAreStillAskedForEachTime() {
        SysfsMount m = mount(false);
        assertThat(Sys.stat(m.resolve("perm/deep")).perm()).isEqualTo(0755);
        fs.chmod(fs.lookup("/perm/deep"), 0700, Cred.ROOT);
        assertThat(Sys.stat(m.resolve("perm/deep")).perm()).isEqualTo(0700);
        // and its nlink follows its subdirectories
        assertThat(Sys.stat(m.resolve("perm/deep")).nlink()).isEqualTo(3);
        ((KernfsDir) fs.lookup("/perm/deep")).mkdir("more");
        assertThat(Sys.stat(m.resolve("perm/deep")).nlink()).isEqualTo(4);
    }
}
