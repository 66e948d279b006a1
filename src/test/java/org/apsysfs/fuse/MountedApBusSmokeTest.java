package org.apsysfs.fuse;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;

import java.nio.file.Path;
import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A few AP bus checks through a real FUSE mount of the default machine (fresh per test). */
@MountedSysfs(perTest = true)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedApBusSmokeTest {

    @Test
    void masksAndBindingsThroughTheMount(Path mnt) {
        var s = assertSysfs(mnt);
        s.file("bus/ap/apmask").isAttribute(0644).hasContent("0x" + "f".repeat(64) + "\n");
        s.file("bus/ap/bindings").hasContent("16/16 (complete)\n");
        s.writing("bus/ap/apmask", "-5,-6").succeeds();
        s.file("bus/ap/apmask").hasContent("0xf9" + "f".repeat(62) + "\n");
        s.file("devices/ap/card05/05.0004/driver").isLinkTo("../../../../bus/ap/drivers/vfio_ap");
        s.file("devices/ap/card05/05.0004/online").isAbsent();
        s.file("devices/ap/card05/05.0004/request_count").hasContent("-\n");
        s.writing("bus/ap/apmask", "+256").failsWith(Errno.EINVAL);
        s.writing("bus/ap/config_time", "4").failsWith(Errno.EINVAL);
        s.writing("bus/ap/drivers/cex4queue/bind", "05.0004").failsWith(Errno.EBUSY);
        s.file("bus/ap/devices/card04").isLinkTo("../../../devices/ap/card04");
    }

    @Test
    void hostConfigurationThroughTheMount(Path mnt) {
        var s = assertSysfs(mnt);
        s.writing("kernel/debug/apsysfs/host/adapter_add", "7 CEX7P\n").succeeds();
        s.file("devices/ap/card07/type").hasContent("CEX7P\n");
        s.dir("devices/ap/card07").containsEntries("07.0004", "07.0005", "07.0047", "07.0054");
        s.file("bus/ap/bindings").hasContent("20/20 (complete)\n");
        s.writing("kernel/debug/apsysfs/host/adapter_remove", "7").succeeds();
        s.file("devices/ap/card07").isAbsent();
        s.writing("kernel/debug/apsysfs/host/adapter_remove", "7").failsWith(Errno.EINVAL);
        s.file("kernel/debug/apsysfs/dmesg").contentMatches("(?s).*apsysfs: host: adapter_remove: adapter 0x07 is not in the host configuration.*");
    }
}
