package org.apsysfs.vfio_ap;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Everything an mdev owns is there when the {@code create} write returns and gone when the
 * {@code remove} write returns; {@code remove} of an mdev a guest holds open blocks until the
 * VMM closes it, while the rest of the tree keeps being served.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedMdevLifecycleTest {
    static final String TYPE = SysfsPaths.MDEV_TYPE;

    @SysfsTree
    Daemon tree() {
        return Daemon.create("default", new ManualClock());
    }

    static String groupOf(Path mnt, String uuid) {
        String t = Sys.readlink(mnt.resolve("devices/vfio_ap/matrix/" + uuid + "/iommu_group"));
        assertThat(t).startsWith("../../../../kernel/iommu_groups/");
        return t.substring(t.lastIndexOf('/') + 1);
    }

    void assertPresent(Path mnt, String u) throws Exception {
        var a = assertSysfs(mnt);
        String dev = "devices/vfio_ap/matrix/" + u;
        Path real = mnt.resolve(dev).toRealPath();
        a.file(dev).isDirectory();
        a.file(TYPE + "devices/" + u).isLinkTo("../../../" + u).resolvesTo(real);
        a.file("bus/mdev/devices/" + u).isLinkTo("../../../devices/vfio_ap/matrix/" + u).resolvesTo(real);
        a.file(dev + "/mdev_type").isLinkTo("../mdev_supported_types/vfio_ap-passthrough")
                .resolvesTo(mnt.resolve(TYPE).toRealPath());
        a.file(dev + "/driver").isLinkTo("../../../../bus/mdev/drivers/vfio_ap_mdev")
                .resolvesTo(mnt.resolve("bus/mdev/drivers/vfio_ap_mdev").toRealPath());
        a.file(dev + "/subsystem").isLinkTo("../../../../bus/mdev").resolvesTo(mnt.resolve("bus/mdev").toRealPath());
        String g = groupOf(mnt, u);
        a.file(dev + "/iommu_group").resolvesTo(mnt.resolve("kernel/iommu_groups/" + g).toRealPath());
        a.file("kernel/iommu_groups/" + g + "/devices/" + u).isLinkTo("../../../../devices/vfio_ap/matrix/" + u)
                .resolvesTo(real);
        a.file("kernel/iommu_groups/" + g + "/name").hasContent("vfio-noiommu\n");
        a.file("bus/mdev/drivers/vfio_ap_mdev/" + u).resolvesTo(real);
        for (String f : new String[] {"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
            "assign_control_domain", "unassign_control_domain", "remove"}) {
            a.file(dev + "/" + f).isAttribute(0200);
        }
        for (String f : new String[] {"matrix", "guest_matrix", "control_domains"}) {
            a.file(dev + "/" + f).isAttribute(0444).hasContent("");
        }
        a.file(dev + "/ap_config").isAttribute(0644);
        a.file(dev + "/uevent").hasContent("DRIVER=vfio_ap_mdev\n");
    }

    void assertAbsent(Path mnt, String u, String group) {
        var a = assertSysfs(mnt);
        a.file("devices/vfio_ap/matrix/" + u).isAbsent();
        a.file(TYPE + "devices/" + u).isAbsent();
        a.file("bus/mdev/devices/" + u).isAbsent();
        a.file("bus/mdev/drivers/vfio_ap_mdev/" + u).isAbsent();
        a.file("kernel/iommu_groups/" + group).isAbsent();
    }

    @Test
    void createAndRemoveAreCompleteWhenTheWriteReturns(Path mnt) throws Exception {
        var a = assertSysfs(mnt);
        for (int i = 0; i < 20; i++) {
            String u = java.util.UUID.randomUUID().toString();
            // mdevctl's way: 36 bytes, no newline, O_WRONLY|O_CREAT|O_TRUNC, then stat at once
            a.writing(TYPE + "create", u).succeeds();
            assertPresent(mnt, u);
            a.file(TYPE + "available_instances").hasContent("65535\n");
            String g = groupOf(mnt, u);
            a.writing("bus/mdev/devices/" + u + "/remove", "1").succeeds();
            assertAbsent(mnt, u, g);
            a.file(TYPE + "available_instances").hasContent("65536\n");
        }
        // the shell's way, and the parent dir's listing
        String u = "62177883-f1bb-47f0-914d-32a22e3a8804";
        assertThat(Sys.sh("echo " + u + " > " + mnt.resolve(TYPE + "create")).exitCode()).isZero();
        a.dir("devices/vfio_ap/matrix").containsEntries(u);
        a.dir("bus/mdev/devices").hasEntries(u);
        a.dir(TYPE + "devices").hasEntries(u);
    }

    @Test
    void removeOfAnOpenMdevBlocksUntilTheVmmCloses(Path mnt, Daemon d) throws Exception {
        var a = assertSysfs(mnt);
        String u = java.util.UUID.randomUUID().toString();
        String other = java.util.UUID.randomUUID().toString();
        a.writing(TYPE + "create", u + "\n").succeeds();
        a.writing(TYPE + "create", other + "\n").succeeds();
        a.writing("bus/ap/apmask", "-5").succeeds();
        String dev = "devices/vfio_ap/matrix/" + u + "/";
        a.writing(dev + "ap_config", InProc.apConfig(InProc.mask(5), InProc.mask(4), InProc.mask(4))).succeeds();
        String g = groupOf(mnt, u);
        MatrixMdev m = d.vfioAp().mdev(u);
        Kvm kvm = new Kvm("guest1", true);
        m.vfioDevice().open(kvm, true);
        a.file("devices/ap/card05/05.0004/status").hasContent("in use\n");
        assertThat(kvm.apm()).isEqualTo(org.apsysfs.hardware.ApMask.of(5));

        CompletableFuture<WriteResult> remove = CompletableFuture.supplyAsync(
                () -> Sys.writeFile(mnt.resolve(dev + "remove"), "1\n"));
        try {
            remove.get(500, TimeUnit.MILLISECONDS);
            throw new AssertionError("remove returned while the device was open: " + remove.join());
        } catch (TimeoutException expected) {
            // blocked, as on the kernel
        }
        // the kernel's device request: the guest loses its AP resources, the VMM is told
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (d.kernel().log().lines().stream().noneMatch(l -> l.contains("Relaying device request"))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(d.kernel().log().lines()).anyMatch(
                l -> l.endsWith("vfio_ap_mdev " + u + ": Relaying device request to user (#0)"));
        assertThat(kvm.apm()).isEqualTo(org.apsysfs.hardware.ApMask.empty());
        // the rest of the tree is served meanwhile, writes included
        a.file("bus/ap/apmask").contentMatches("0x[0-9a-f]{64}\n");
        a.file("devices/vfio_ap/matrix/" + other + "/matrix").hasContent("");
        a.writing("devices/vfio_ap/matrix/" + other + "/assign_control_domain", "7").succeeds();
        a.file(TYPE + "available_instances").hasContent("65534\n");
        assertThat(remove.isDone()).isFalse();
        // what device_del has already taken away while vfio_unregister_group_dev waits: the
        // remove file itself (kernfs_remove_self), the mdev core's links, the bus and driver
        // links and the driver's attributes; the IOMMU group goes only after the release
        a.file(dev + "remove").isAbsent();
        a.writing(dev + "remove", "1").openFailsWith(org.apsysfs.kernel.Errno.EACCES); // O_CREAT in a sysfs dir
        assertThat(Sys.open(mnt.resolve(dev + "remove"), Sys.O_WRONLY)).isEqualTo(-org.apsysfs.kernel.Errno.ENOENT.code());
        a.file(dev + "mdev_type").isAbsent();
        a.file(TYPE + "devices/" + u).isAbsent();
        a.file(dev + "driver").isAbsent();
        a.file(dev + "assign_adapter").isAbsent();
        a.file(dev + "matrix").isAbsent();
        a.file("bus/mdev/drivers/vfio_ap_mdev/" + u).isAbsent();
        a.file("bus/mdev/devices/" + u).isAbsent();
        a.file(dev + "subsystem").isAbsent();
        a.file(dev + "iommu_group").isSymlink();
        a.file("kernel/iommu_groups/" + g + "/devices/" + u).isSymlink();

        m.vfioDevice().close();
        WriteResult r = remove.get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.written()).isEqualTo(2);
        assertAbsent(mnt, u, g);
        a.file(TYPE + "available_instances").hasContent("65535\n");
        a.file("devices/ap/card05/05.0004/status").hasContent("unassigned\n");
    }

    @Test
    void withoutARequestEventfdTheKernelSaysSoOnce(Path mnt, Daemon d) throws Exception {
        var a = assertSysfs(mnt);
        String u = java.util.UUID.randomUUID().toString();
        a.writing(TYPE + "create", u).succeeds();
        MatrixMdev m = d.vfioAp().mdev(u);
        m.vfioDevice().open(new Kvm("guest2", true), false);
        CompletableFuture<WriteResult> remove = CompletableFuture.supplyAsync(
                () -> Sys.writeFile(mnt.resolve("bus/mdev/devices/" + u + "/remove"), "1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (d.kernel().log().lines().stream().noneMatch(l -> l.contains("No device request registered"))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(remove.isDone()).isFalse();
        assertThat(d.kernel().log().lines()).filteredOn(l -> l.contains("device request")).hasSize(1)
                .allMatch(l -> l.endsWith("vfio_ap_mdev " + u
                        + ": No device request registered, blocked until released by user"));
        m.vfioDevice().close();
        assertThat(remove.get(10, TimeUnit.SECONDS).ok()).isTrue();
        a.file("devices/vfio_ap/matrix/" + u).isAbsent();
    }
}
