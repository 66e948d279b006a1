package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.testing.Stat;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysException;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel's caches never show a stale entry while devices come and go: reader threads
 * lstat, readlink and read paths of devices that appear and disappear while a writer flips
 * {@code apmask} (queues of adapter 5 move between cex4queue and vfio_ap: their
 * {@code driver} links are re-created with another target), takes adapter 6 out of the host
 * configuration and puts it back ({@code kernel/debug/apsysfs/host}: its card and queues are
 * removed and re-created by {@code ap_scan_bus}), and creates and removes an mdev. Every answer
 * a reader got entirely between two writes (a sequence count, odd while a write runs) must be
 * what the tree held then: the same type, the same link target, a removed device's files gone.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(KernelCacheOn.class)
class CacheChurnTest {
    private static final String UUID = "a7d2ad6a-1c7e-4c31-9d8e-3fbd1a3c5e01";
    private static final String MDEV = "devices/vfio_ap/matrix/" + UUID;
    private static final String[] PATHS = {
        "bus/ap/drivers/cex4queue/05.0004",
        "bus/ap/drivers/vfio_ap/05.0004",
        "bus/ap/drivers/vfio_ap/05.0047",
        "devices/ap/card05/05.0004/driver",
        "devices/ap/card05/05.0047/driver",
        "bus/ap/devices/05.0004",
        "devices/ap/card06",
        "devices/ap/card06/06.0004",
        "devices/ap/card06/06.0004/online",
        "devices/ap/card06/06.0054/driver",
        "devices/ap/card06/online",
        "bus/ap/devices/card06",
        "bus/ap/devices/06.0004",
        "bus/ap/drivers/cex4card/card06",
        "bus/ap/drivers/cex4queue/06.0047",
        MDEV,
        MDEV + "/matrix",
        MDEV + "/remove",
        MDEV + "/driver",
        MDEV + "/iommu_group",
        "bus/mdev/devices/" + UUID,
        "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/devices/" + UUID,
    };

    /** Odd while the writer's write runs. */
    private final AtomicLong seq = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();
    private final AtomicLong checked = new AtomicLong();

    /** What the tree holds at {@code path}: "-" (nothing), "d", "f", or "l " + target. */
    private static String truth(Kernfs fs, String path) {
        KernfsNode n = fs.lookup("/" + path);
        if (n == null) {
            return "-";
        }
        if (n instanceof KernfsLink l) {
            return "l " + l.targetPath();
        }
        return n instanceof KernfsDir ? "d" : "f";
    }

    /** What the mount answers at {@code p}, as {@link #truth}. */
    private static String seen(Path p) {
        Stat st;
        try {
            st = Sys.lstat(p);
        } catch (SysException e) {
            return "-";
        }
        if (st.isSymlink()) {
            try {
                return "l " + Sys.readlink(p);
            } catch (SysException e) {
                return "-";
            }
        }
        return st.isDirectory() ? "d" : "f";
    }

    private void write(SysfsMount m, String path, String value) {
        seq.incrementAndGet();
        try {
            assertThat(Sys.writeFile(m.resolve(path), value).ok()).as("write %s to %s", value, path).isTrue();
        } finally {
            seq.incrementAndGet();
        }
        // a moment between writes for the readers to check what they see
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void readersNeverSeeAStaleEntryWhileDevicesComeAndGo() throws Exception {
        try (SysfsMount m = SysfsMount.mountDefault()) {
            Kernfs fs = m.kernfs();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                Thread r = new Thread(() -> {
                    int i = first;
                    while (!stop.get()) {
                        String path = PATHS[i++ % PATHS.length];
                        // during a write too (a lookup racing the change must not stay cached),
                        // checked only when it ran entirely between two writes
                        long s1 = seq.get();
                        String want = truth(fs, path);
                        String got = seen(m.resolve(path));
                        String wantAfter = truth(fs, path);
                        if ((s1 & 1) == 0 && seq.get() == s1 && want.equals(wantAfter)) {
                            checked.incrementAndGet();
                            if (!got.equals(want)) {
                                stale.add(path + ": saw '" + got + "', the tree has '" + want + "'");
                            }
                        }
                        if (got.equals("f") && path.endsWith("/online")) {
                            // a file of a device that is there reads; one of a removed device does not open
                            try {
                                String v = Sys.read(m.resolve(path));
                                if ((s1 & 1) == 0 && seq.get() == s1 && !truth(fs, path).equals("f")) {
                                    stale.add(path + ": read '" + v.trim() + "' from a removed device");
                                }
                            } catch (SysException e) {
                                if ((s1 & 1) == 0 && seq.get() == s1 && truth(fs, path).equals("f")) {
                                    stale.add(path + ": " + e.getMessage() + " although the device is there");
                                }
                            }
                        }
                    }
                }, "churn-reader-" + t);
                r.setDaemon(true);
                readers.add(r);
                r.start();
            }
            try {
                String create = "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create";
                for (int round = 0; round < 8; round++) {
                    write(m, "bus/ap/apmask", "-5");
                    write(m, "kernel/debug/apsysfs/host/adapter_remove", "6");
                    write(m, create, UUID);
                    write(m, "bus/ap/apmask", "+5");
                    write(m, MDEV + "/remove", "1");
                    write(m, "kernel/debug/apsysfs/host/adapter_add", "6");
                }
            } finally {
                stop.set(true);
                for (Thread r : readers) {
                    r.join(10_000);
                }
            }
            assertThat(stale).as("answers that disagree with the tree").isEmpty();
            assertThat(checked.get()).as("answers checked").isGreaterThan(500);
            // the mount did cache: most walks were answered by the kernel's dentries
            KernelCache cache = m.fuseMount().loop().cache();
            assertThat(cache.entryInvalidations()).isPositive();
        }
    }
}
