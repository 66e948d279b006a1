package org.apsysfs.debugfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.StoreTimes;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kernel/debug/apsysfs/store_times: one line per store, with its result and path. */
class StoreTimesTest {
    static final String F = SysfsPaths.DEBUG + "store_times";
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    /** The lines as {SEQ, MICROSECONDS, RESULT, PATH}. */
    List<String[]> lines() {
        String text = sys.read(F);
        if (text.isEmpty()) {
            return List.of();
        }
        return text.lines().map(l -> l.split(" ")).toList();
    }

    @Test
    void emptyUntilTheFirstStoreThenOneLinePerStore() {
        assertThat(sys.mode(F)).isEqualTo(0444);
        assertThat(sys.read(F)).isEmpty();

        sys.write("bus/ap/apmask", "-5");
        sys.writeFails("bus/ap/aqmask", "-0x100", Errno.EINVAL);
        sys.write("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", U);
        sys.write("devices/vfio_ap/matrix/" + U + "/assign_domain", "4");

        List<String[]> l = lines();
        assertThat(l).hasSize(4);
        assertThat(l).extracting(f -> f[0]).containsExactly("1", "2", "3", "4");
        assertThat(l).extracting(f -> f[2]).containsExactly("0", "EINVAL", "0", "0");
        assertThat(l).extracting(f -> f[3]).containsExactly("/bus/ap/apmask", "/bus/ap/aqmask",
                "/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create",
                "/devices/vfio_ap/matrix/" + U + "/assign_domain");
        for (String[] f : l) {
            assertThat(f).hasSize(4);
            assertThat(f[1]).matches("[0-9]+\\.[0-9]");
        }
    }

    @Test
    void keepsTheLastStoresNumberedSinceBoot() {
        int n = StoreTimes.CAPACITY + 44;
        for (int i = 0; i < n; i++) {
            sys.write("bus/ap/ap_domain", i % 2 == 0 ? "4" : "5");
        }
        List<String[]> l = lines();
        assertThat(l).hasSize(StoreTimes.CAPACITY);
        assertThat(l.get(0)[0]).isEqualTo(Integer.toString(n - StoreTimes.CAPACITY + 1));
        assertThat(l.get(l.size() - 1)[0]).isEqualTo(Integer.toString(n));
        assertThat(l).allSatisfy(f -> assertThat(f[3]).isEqualTo("/bus/ap/ap_domain"));
        assertThat(sys.daemon().kernel().sysfs().storeTimes().count()).isEqualTo(n);
    }

    @Test
    void readingRecordsNothing() {
        sys.read("bus/ap/apmask");
        sys.read(F);
        assertThat(sys.read(F)).isEmpty();
    }
}
