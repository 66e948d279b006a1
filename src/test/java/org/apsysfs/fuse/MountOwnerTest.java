package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.sysfs.Cred;
import org.junit.jupiter.api.Test;

/** The daemon's user as root of the simulation (rootless mounts). */
class MountOwnerTest {
    private final MountOwner user = new MountOwner(1000, 1000);

    @Test
    void theDaemonsUserIsRootAndRootTakesItsPlace() {
        assertThat(user.cred(1000, 1000)).isEqualTo(Cred.ROOT);
        assertThat(user.cred(1000, 1000).isRoot()).isTrue();
        assertThat(user.cred(0, 0)).isEqualTo(new Cred(1000, 1000));
        assertThat(user.cred(1001, 100)).isEqualTo(new Cred(1001, 100));
        // a stat of a root-owned file shows the user on the host; the map is its own inverse
        assertThat(user.uid(0)).isEqualTo(1000);
        assertThat(user.uid(user.uid(0))).isZero();
        assertThat(user.gid(1000)).isZero();
        assertThat(user.chownUid(-1)).isEqualTo(-1);
        assertThat(user.chownUid(0xffffffffL)).isEqualTo(0xffffffffL);
        assertThat(user.chownUid(1000)).isZero();
    }

    @Test
    void aDaemonOfRootMapsNothing() {
        assertThat(MountOwner.ROOT.cred(0, 0)).isEqualTo(Cred.ROOT);
        assertThat(MountOwner.ROOT.cred(65534, 65534)).isEqualTo(new Cred(65534, 65534));
        assertThat(MountOwner.ROOT.uid(1000)).isEqualTo(1000);
        // the ids of this process, as the JDK reads them
        var me = new com.sun.security.auth.module.UnixSystem();
        assertThat(MountOwner.ofThisProcess()).isEqualTo(new MountOwner((int) me.getUid(), (int) me.getGid()));
    }
}
