package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Guests through the mount, as a shell script would drive them. */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedGuestTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String V = "0b1b5e5c-39e1-4c4e-8a2b-4c1d1f0a9a77";

    Path mnt;
    Daemon d;

    @BeforeEach
    void setUp(Path mnt, Daemon d) {
        this.mnt = mnt;
        this.d = d;
        ok("bus/ap/apmask", "-4,-5,-6\n");
        ok("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", U + "\n");
        ok("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", V + "\n");
        ok(mdev(U, "assign_adapter"), "4\n");
        ok(mdev(U, "assign_adapter"), "5\n");
        ok(mdev(U, "assign_domain"), "0x47\n");
        ok("kernel/debug/apsysfs/guests/create", "g1\n");
    }

    @AfterEach
    void noHazards() {
        assertThat(read("kernel/debug/apsysfs/hazards")).isEmpty();
        // lock validator reports fail the test through the LockdepExtension
    }

    static String mdev(String u, String file) {
        return "devices/vfio_ap/matrix/" + u + "/" + file;
    }

    static String guest(String g, String file) {
        return "kernel/debug/apsysfs/guests/" + g + "/" + file;
    }

    WriteResult write(String rel, String value) {
        return Sys.writeFile(mnt.resolve(rel), value);
    }

    void ok(String rel, String value) {
        WriteResult r = write(rel, value);
        assertThat(r.errno()).as("echo '" + value.strip() + "' > " + rel + ": " + r).isZero();
    }

    String read(String rel) {
        return Sys.read(mnt.resolve(rel));
    }

    @Test
    void crycbThroughTheMountAfterEachStep() {
        ok(guest("g1", "attach"), U + "\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n");
        assertThat(read("devices/ap/card05/05.0047/status")).isEqualTo("in use\n");
        // hot plug
        ok(mdev(U, "assign_adapter"), "6\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n06.0047\n");
        assertThat(read(guest("g1", "apm"))).isEqualTo("0x0e" + "0".repeat(62) + "\n");
        // hot unplug by unbind, back by bind
        ok("bus/ap/drivers/vfio_ap/unbind", "04.0047\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("05.0047\n06.0047\n");
        ok("bus/ap/drivers/vfio_ap/bind", "04.0047\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n06.0047\n");
        // host configuration
        d.hardware().removeAdapter(6);
        d.apBus().forceRescan();
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n");
        ok("bus/ap/scans", "1\n");
        d.hardware().addAdapter(6);
        ok("bus/ap/scans", "1\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n06.0047\n");
        // unassign
        ok(mdev(U, "unassign_adapter"), "4\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("05.0047\n06.0047\n");
        // PQAP
        ok(guest("g1", "pqap"), "aqic 05.0047 enable 3 0x10000\n");
        assertThat(read(guest("g1", "pqap"))).isEqualTo("aqic 05.0047 enable: cc=0 rc=0x00 NORMAL irq_enabled=1\n");
        assertThat(read(guest("g1", "status"))).contains("pinned_pages: 1\n").contains("gisc: 0 0 0 1 0 0 0 0\n");
        ok(guest("g1", "pqap"), "tapq 04.0047\n");
        assertThat(read(guest("g1", "pqap"))).startsWith("tapq 04.0047: cc=3 rc=0x01 Q_NOT_AVAIL");
        // VFIO reset, detach
        ok(guest("g1", "reset"), "1\n");
        assertThat(read(guest("g1", "status"))).contains("pinned_pages: 0\n");
        ok(guest("g1", "detach"), U + "\n");
        assertThat(read(guest("g1", "apqns"))).isEmpty();
        assertThat(read("devices/ap/card05/05.0047/status")).isEqualTo("assigned\n");
    }

    @Test
    void aSecondMdevForTheSameGuestIsEperm() {
        ok(mdev(V, "assign_adapter"), "6\n");
        ok(mdev(V, "assign_domain"), "5\n");
        ok(guest("g1", "attach"), U + "\n");
        assertThat(write(guest("g1", "attach"), V + "\n").errno()).isEqualTo(Errno.EPERM.code());
        assertThat(write(guest("g1", "attach"), U + "\n").errno()).as("the same device twice").isEqualTo(Errno.EBUSY.code());
        assertThat(read(guest("g1", "status"))).contains("mdev: " + U + "\n");
        assertThat(read(guest("g1", "apqns"))).isEqualTo("04.0047\n05.0047\n");
        assertThat(read("devices/ap/card06/06.0005/status")).isEqualTo("assigned\n");
        // the other mdev can still go to another guest
        ok("kernel/debug/apsysfs/guests/create", "g2\n");
        ok(guest("g2", "attach"), V + "\n");
        assertThat(read(guest("g2", "apqns"))).isEqualTo("06.0005\n");
        ok(guest("g2", "detach"), V + "\n");
        ok(guest("g1", "detach"), U + "\n");
    }

    @Test
    void aGuestWithoutCrycb() {
        ok("kernel/debug/apsysfs/guests/create", "plain nocrycb\n");
        ok(guest("plain", "attach"), U + "\n");
        assertThat(read("devices/ap/card05/05.0047/status")).isEqualTo("assigned\n");
        assertThat(read(guest("plain", "apqns"))).isEmpty();
        assertThat(write(guest("plain", "pqap"), "tapq 05.0047\n").errno()).isEqualTo(Errno.EOPNOTSUPP.code());
        ok(guest("plain", "detach"), U + "\n");
    }

    @Test
    void removeOfAnAttachedMdevBlocksUntilDetachWhileOtherRequestsAreServed() throws Exception {
        ok(guest("g1", "attach"), U + "\n");
        VfioDevice.requestIntervalMillis = 100;
        try {
            CompletableFuture<WriteResult> remover = CompletableFuture.supplyAsync(() -> write(mdev(U, "remove"), "1\n"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!read("kernel/debug/apsysfs/dmesg").contains("Relaying device request to user (#0)")
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(read("kernel/debug/apsysfs/dmesg")).contains("vfio_ap_mdev " + U + ": Relaying device request to user (#0)");
            assertThat(remover).isNotDone();
            // the request took the guest's queues away
            assertThat(read(guest("g1", "apqns"))).isEmpty();
            // other requests are served meanwhile, each well within a bound
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                assertThat(read("bus/ap/apmask")).startsWith("0xf1");
                // the removed mdev's vfio_ap files are already gone (driver unbound first)
                assertThat(Sys.lstatErrno(mnt.resolve("devices/vfio_ap/matrix/" + U + "/matrix"))).isEqualTo(Errno.ENOENT.code());
                ok(mdev(V, "assign_adapter"), "6\n");
                ok(mdev(V, "unassign_adapter"), "6\n");
                assertThat(read(mdev(V, "matrix"))).isEmpty();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
            }
            assertThat(remover).isNotDone();
            // (a second write to the same remove file would wait in the kernel's FUSE layer,
            // which serialises writes to one inode; GuestTest checks its EAGAIN in-process)
            ok(guest("g1", "detach"), U + "\n");
            WriteResult r = remover.get(10, TimeUnit.SECONDS);
            assertThat(r.errno()).isZero();
            assertThat(r.written()).isEqualTo(2);
            assertThat(Sys.lstatErrno(mnt.resolve("devices/vfio_ap/matrix/" + U))).isEqualTo(Errno.ENOENT.code());
        } finally {
            VfioDevice.requestIntervalMillis = 10_000;
        }
    }
}
