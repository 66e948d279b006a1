package org.apsysfs.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;

/**
 * Permanent directories ({@link KernfsDir#markPermanent}): the skeleton the FUSE edge lets the
 * kernel cache. Exactly the directories nothing removes are permanent.
 */
class PermanentDirTest {
    @Test
    void onlyBelowAPermanentParentAndNeverRemoved() {
        Kernfs fs = new Kernfs(new ManualClock(), new KernelLog(new ManualClock()));
        assertThat(fs.root().permanent()).isTrue();
        KernfsDir plain = fs.root().mkdir("plain");
        assertThat(plain.permanent()).isFalse();
        assertThatThrownBy(() -> plain.mkdir("x").markPermanent()).isInstanceOf(IllegalStateException.class);
        KernfsDir perm = fs.root().mkdir("perm").markPermanent();
        KernfsDir sub = perm.mkdir("sub").markPermanent();
        assertThatThrownBy(sub::remove).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> perm.removeChild("sub")).isInstanceOf(IllegalStateException.class);
        assertThat(fs.lookup("/perm/sub")).isSameAs(sub);
        // what is below a permanent directory may come and go
        KernfsDir dyn = sub.mkdir("dyn");
        dyn.remove();
        assertThat(fs.lookup("/perm/sub/dyn")).isNull();
        plain.remove();
        assertThat(fs.lookup("/plain")).isNull();
    }

    @Test
    void theBootedTreesSkeletonIsPermanentAndDevicesAreNot() {
        InProcessSysfs sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
        for (String p : List.of("bus", "bus/ap", "bus/ap/devices", "bus/ap/drivers", "bus/mdev/devices",
                "bus/matrix", "devices", "devices/ap", "devices/vfio_ap", "devices/vfio_ap/matrix",
                "devices/vfio_ap/matrix/mdev_supported_types",
                "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough",
                "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/devices",
                "class", "class/mdev_bus", "kernel", "kernel/debug/apsysfs", "module")) {
            assertThat(permanent(sys, p)).as(p).isTrue();
        }
        for (String p : List.of("devices/ap/card04", "devices/ap/card04/04.0005", "bus/ap/drivers/vfio_ap",
                "devices/vfio_ap/matrix/power")) {
            assertThat(permanent(sys, p)).as(p).isFalse();
        }
        // an mdev (created and removed by users) is not
        String uuid = "0fe9a4b2-3bd0-4e54-b0a6-3b8e4bd6fa01";
        sys.write("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", uuid);
        assertThat(permanent(sys, "devices/vfio_ap/matrix/" + uuid)).isFalse();
        sys.write("devices/vfio_ap/matrix/" + uuid + "/remove", "1");
        assertThat(sys.exists("devices/vfio_ap/matrix/" + uuid)).isFalse();
    }

    @Test
    void everyPermanentDirectorySurvivesRemovingEveryAdapterFromTheHost() {
        // taking every adapter out of the configuration removes cards and queues, never a
        // permanent directory (removing one would throw)
        InProcessSysfs sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
        List<String> before = permanentDirs(sys.daemon().kernel().sysfs().root(), new ArrayList<>());
        assertThat(sys.ls("devices/ap")).contains("card04");
        for (String card : sys.ls("devices/ap")) {
            if (card.startsWith("card")) {
                sys.write("kernel/debug/apsysfs/host/adapter_remove", "0x" + card.substring(4));
            }
        }
        assertThat(sys.ls("devices/ap")).noneMatch(n -> n.startsWith("card"));
        assertThat(permanentDirs(sys.daemon().kernel().sysfs().root(), new ArrayList<>())).isEqualTo(before);
    }

    private static boolean permanent(InProcessSysfs sys, String path) {
        KernfsNode n = sys.lresolve(path);
        assertThat(n).as(path).isInstanceOf(KernfsDir.class);
        return ((KernfsDir) n).permanent();
    }

    private static List<String> permanentDirs(KernfsDir d, List<String> out) {
        if (d.permanent()) {
            out.add(d.path());
        }
        for (String name : d.list()) {
            if (d.child(name) instanceof KernfsDir c) {
                permanentDirs(c, out);
            }
        }
        return out;
    }
}
