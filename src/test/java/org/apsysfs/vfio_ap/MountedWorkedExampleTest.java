package org.apsysfs.vfio_ap;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.apsysfs.vfio_ap.InProc.apConfig;
import static org.apsysfs.vfio_ap.InProc.mask;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worked example (free adapters, create an mdev, assign, read matrix and guest_matrix, give
 * the queues back), line by line, through the mount on the default machine.
 * Adapted: the machine has adapters 04 05 06 0b (05 CEX8C, 06 CEX8A), domains 0004 0005 0047
 * 0054 and {@code ap_max_domain_id} 84, so 0x54 stands for the example's 0xab, and ids above 84
 * (0x55, 0xab, 0x100) are ENODEV.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedWorkedExampleTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String V = "0e8b9a6c-6d55-4a56-bb5a-1b0c33c0b4f1";
    static final String TYPE = SysfsPaths.MDEV_TYPE;
    static final String MU = SysfsPaths.mdev(U);
    static final String MV = SysfsPaths.mdev(V);

    @SysfsTree
    Daemon tree() {
        return Daemon.create("default", new ManualClock());
    }

    /** {@code sh -c "echo VALUE > FILE"} in the mount: the exit code and, on failure, the errno. */
    static Errno echo(Path mnt, String value, String rel) {
        var r = Sys.sh("/bin/echo " + value + " > '" + mnt.resolve(rel) + "'");
        return r.exitCode() == 0 ? null : Sys.errnoInMessage(r.stderr());
    }

    @Test
    void workedExample(Path mnt, Daemon d) {
        var a = assertSysfs(mnt);
        a.file("bus/ap/bindings").hasContent("16/16 (complete)\n");
        a.dir("bus/ap/drivers/vfio_ap").hasEntries("bind", "module", "uevent", "unbind");
        // echo -5,-6 > apmask: queues 05.* and 06.* go to vfio_ap
        assertThat(echo(mnt, "-5,-6", "bus/ap/apmask")).isNull();
        a.file("bus/ap/apmask").hasContent("0xf9" + "f".repeat(62) + "\n");
        a.file("bus/ap/bindings").hasContent("16/16 (complete)\n");
        a.dir("bus/ap/drivers/vfio_ap").containsEntries("05.0004", "05.0054", "06.0047");
        a.file("devices/ap/card05/05.0004/status").hasContent("unassigned\n");
        a.file("devices/ap/card05/05.0004/request_count").hasContent("-\n");
        a.file("devices/ap/card05/05.0004/online").isAbsent();
        // create
        assertThat(echo(mnt, U, TYPE + "create")).isNull();
        a.file(TYPE + "available_instances").hasContent("65535\n");
        a.file(MU + "matrix").hasContent("").hasSize(4096);
        a.writing(MU + "assign_adapter", "5\n").succeeds();
        a.file(MU + "matrix").hasContent("05.\n");
        a.file(MU + "guest_matrix").hasContent("05.\n");
        a.writing(MU + "assign_domain", "4\n").succeeds();
        a.writing(MU + "assign_domain", "0x54\n").succeeds();
        a.file(MU + "matrix").hasContent("05.0004\n05.0054\n");
        a.file(MU + "guest_matrix").hasContent("05.0004\n05.0054\n");
        a.file(MU + "ap_config").hasContent(apConfig(mask(5), mask(4, 0x54), mask()));
        a.file(MU + "ap_config").hasContent(
                "0x0400000000000000000000000000000000000000000000000000000000000000,"
                        + "0x0800000000000000000008000000000000000000000000000000000000000000,"
                        + "0x0000000000000000000000000000000000000000000000000000000000000000\n");
        a.writing(MU + "assign_adapter", "256\n").failsWith(Errno.ENODEV);
        a.writing(MU + "assign_domain", "08\n").failsWith(Errno.EINVAL);
        a.writing(MU + "assign_domain", "0x100\n").failsWith(Errno.ENODEV);
        a.writing(MU + "assign_domain", "0xab\n").failsWith(Errno.ENODEV);
        a.writing(MU + "assign_domain", "0x55\n").failsWith(Errno.ENODEV);
        a.writing(MU + "assign_adapter", "1\n").failsWith(Errno.EADDRNOTAVAIL);
        a.writing(MU + "assign_control_domain", "1\n").succeeds();
        a.file(MU + "control_domains").hasContent("0001\n");
        // a second mdev may not share 05.0004
        assertThat(echo(mnt, V, TYPE + "create")).isNull();
        a.writing(MV + "assign_adapter", "5\n").succeeds();
        a.writing(MV + "assign_domain", "4\n").failsWith(Errno.EADDRINUSE);
        assertThat(d.kernel().log().lines()).anyMatch(l -> l.endsWith(
                "vfio_ap_mdev " + V + ": Userspace may not assign queue 05.0004 to mdev: already assigned to " + U));
        assertThat(echo(mnt, "4", MV + "assign_domain")).isEqualTo(Errno.EADDRINUSE);
        // in_use
        a.writing("bus/ap/apmask", "+5\n").failsWith(Errno.EBUSY);
        assertThat(d.kernel().log().lines())
                .anyMatch(l -> l.endsWith("vfio_ap_mdev " + U + ": Can not reserve queue 05.0004 for host driver: in use by mdev"))
                .anyMatch(l -> l.endsWith("vfio_ap_mdev " + U + ": Can not reserve queue 05.0054 for host driver: in use by mdev"));
        a.file("bus/ap/apmask").hasContent("0xf9" + "f".repeat(62) + "\n");
        // unbind: wrong name, then the queue
        a.writing("bus/ap/drivers/vfio_ap/unbind", "1\n").failsWith(Errno.ENODEV);
        a.writing("bus/ap/drivers/vfio_ap/unbind", "05.0054\n").succeeds();
        a.file("devices/ap/card05/05.0054/driver").isAbsent();
        a.file(MU + "guest_matrix").hasContent(".0004\n.0054\n");
        a.file(MU + "matrix").hasContent("05.0004\n05.0054\n");
        a.file("bus/ap/bindings").hasContent("15/16\n");
        a.writing("bus/ap/drivers/cex4queue/bind", "05.0054\n").failsWith(Errno.ENODEV);
        a.writing("bus/ap/drivers/vfio_ap/bind", "05.0054\n").succeeds();
        a.file(MU + "guest_matrix").hasContent("05.0004\n05.0054\n");
        a.file("bus/ap/bindings").hasContent("16/16 (complete)\n");
        // remove both (no guest): the instances come back
        a.writing(MV + "remove", "1\n").succeeds();
        a.file(TYPE + "available_instances").hasContent("65535\n");
        assertThat(echo(mnt, "1", MU + "remove")).isNull();
        a.file(TYPE + "available_instances").hasContent("65536\n");
        a.file(MU).isAbsent();
        a.file("devices/ap/card05/05.0004/status").hasContent("unassigned\n");
        // the APQNs are free again: the host may take them back
        a.writing("bus/ap/apmask", "+5,+6\n").succeeds();
        a.file("bus/ap/drivers/cex4queue/05.0004").isSymlink();
        // and the queue's files follow its driver (zcrypt_queue_register adds online etc.,
        // vfio_ap_mdev_probe_queue adds status)
        a.file("devices/ap/card05/05.0004/status").isAbsent();
        a.file("devices/ap/card05/05.0004/online").hasContent("1\n");
        a.file("devices/ap/card05/05.0004/request_count").contentMatches("[0-9]+\n");
    }
}
