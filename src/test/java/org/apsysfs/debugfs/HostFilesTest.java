package org.apsysfs.debugfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Host configuration changes through kernel/debug/apsysfs/host (what an SCLP AP configuration change does: ap_bus.c ap_bus_cfg_chg → ap_scan_bus,
 * vfio_ap_ops.c vfio_ap_on_cfg_changed). */
class HostFilesTest {
    static final String H = SysfsPaths.HOST;
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    @Test
    void filesAndModes() {
        assertThat(sys.ls(H)).containsExactly("adapter_add", "adapter_config", "adapter_remove", "checkstop",
                "config", "control_domain_add", "control_domain_remove", "domain_add", "domain_remove");
        assertThat(sys.mode(H + "adapter_add")).isEqualTo(0200);
        assertThat(sys.mode(H + "config")).isEqualTo(0444);
        assertThat(sys.read(H + "config")).startsWith("apm: 0x0e10" + "0".repeat(60) + "\naqm: ")
                .contains("adapter 04 CEX8C raw_type=14 in_config=1 configured=1 checkstop=0\n")
                .contains("adapter 0b CEX8P raw_type=14 in_config=1 configured=1 checkstop=0\n");
    }

    @Test
    void adapterLeavesAndReturns() {
        sys.mark();
        sys.write(H + "adapter_remove", "5\n");
        assertThat(sys.exists("devices/ap/card05")).isFalse();
        assertThat(sys.exists("bus/ap/devices/05.0004")).isFalse();
        assertThat(sys.read("bus/ap/ap_adapter_mask")).startsWith("0x0a10");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("12/12 (complete)\n");
        assertThat(sys.read("bus/ap/scans")).isEqualTo("2\n");
        assertThat(sys.ueventLines()).contains(
                "unbind /devices/ap/card05/05.0004 DEVTYPE=ap_queue MODE=cca",
                "remove /devices/ap/card05/05.0004 DEVTYPE=ap_queue MODE=cca",
                "remove /devices/ap/card05 DEVTYPE=ap_card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca");
        assertThat(sys.logSinceMark()).containsExactly("apsysfs: host: adapter_remove 5");

        sys.mark();
        sys.write(H + "adapter_add", "0x05");
        assertThat(sys.ls("devices/ap/card05")).contains("05.0004", "05.0054", "type");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
        assertThat(sys.ueventLines()).contains(
                "add /devices/ap/card05 DEVTYPE=ap_card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca",
                "bind /devices/ap/card05 DEVTYPE=ap_card DRIVER=cex4card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca",
                "add /devices/ap/card05/05.0004 DEVTYPE=ap_queue MODE=cca",
                "bind /devices/ap/card05/05.0004 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca")
                .last().isEqualTo("change /devices/ap BINDINGS=complete COMPLETECOUNT=2");
    }

    @Test
    void newAdapterOfAModelAndAHardwareSwap() {
        sys.write(H + "adapter_add", "7 CEX7P");
        assertThat(sys.read("devices/ap/card07/type")).isEqualTo("CEX7P\n");
        assertThat(sys.read("devices/ap/card07/hwtype")).isEqualTo("13\n");
        assertThat(sys.ls("devices/ap/card07")).contains("07.0004", "07.0005", "07.0047", "07.0054");
        sys.mark();
        sys.write(H + "adapter_add", "7 CEX8A"); // type changed: card removed and recreated
        assertThat(sys.read("devices/ap/card07/type")).isEqualTo("CEX8A\n");
        assertThat(sys.ueventLines()).contains("remove /devices/ap/card07 DEVTYPE=ap_card DEV_TYPE=000D MODALIAS=ap:t0D MODE=ep11",
                "add /devices/ap/card07 DEVTYPE=ap_card DEV_TYPE=000E MODALIAS=ap:t0E MODE=accel");
    }

    @Test
    void domainsEnterAndLeave() {
        sys.write(H + "domain_add", "0x20");
        for (String c : new String[] {"04", "05", "06", "0b"}) {
            assertThat(sys.exists("devices/ap/card" + c + "/" + c + ".0020")).isTrue();
        }
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("20/20 (complete)\n");
        sys.write(H + "domain_remove", "4");
        assertThat(sys.exists("devices/ap/card04/04.0004")).isFalse();
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
        // the default domain stays 4 although it left (the kernel keeps ap_domain_index)
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("4\n");
        assertThat(sys.read("devices/ap/card04/serialnr")).isEqualTo("\n");
        sys.write(H + "control_domain_add", "0x10");
        assertThat(sys.read("bus/ap/ap_control_domain_mask")).startsWith("0x0e0080");
        sys.write(H + "control_domain_remove", "6");
        assertThat(sys.read("bus/ap/ap_control_domain_mask")).startsWith("0x0c0080");
    }

    @Test
    void adapterConfiguredOffAndOnByTheMachine() {
        sys.mark();
        sys.write(H + "adapter_config", "4 0");
        assertThat(sys.read("devices/ap/card04/config")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card04/04.0004/config")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card04/online")).isEqualTo("0\n");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
        assertThat(sys.ueventLines()).contains(
                "change /devices/ap/card04 DEVTYPE=ap_card DRIVER=cex4card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca CONFIG=0",
                "change /devices/ap/card04/04.0054 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca CONFIG=0");
        sys.writeFails("devices/ap/card04/online", "1", Errno.ENODEV);
        sys.write(H + "adapter_config", "4 1");
        assertThat(sys.read("devices/ap/card04/config")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card04/04.0004/online")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card04/04.0004/interrupt")).isEqualTo("Interrupts enabled.\n");
        assertThat(sys.read(H + "config")).contains("adapter 04 CEX8C raw_type=14 in_config=1 configured=1 checkstop=0");
    }

    @Test
    void checkstopAndRecovery() {
        sys.mark();
        sys.write(H + "checkstop", "6 1");
        assertThat(sys.read("devices/ap/card06/chkstop")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card06/06.0004/chkstop")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card06/06.0004/config")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card06/online")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card06/06.0004/online")).isEqualTo("0\n");
        assertThat(sys.ueventLines()).noneMatch(l -> l.contains("CONFIG="));
        sys.writeFails("devices/ap/card06/06.0004/online", "1", Errno.ENODEV);
        sys.write(H + "checkstop", "6 0");
        assertThat(sys.read("devices/ap/card06/chkstop")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card06/06.0004/online")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card06/06.0004/reset")).isEqualTo("No Reset Timer set.\n");
    }

    @Test
    void freedQueuesOfANewAdapterGoToVfioAp() {
        sys.write("bus/ap/apmask", "-7");
        sys.write(H + "adapter_add", "7 CEX8C");
        assertThat(sys.readlink("devices/ap/card07/07.0004/driver")).isEqualTo("../../../../bus/ap/drivers/vfio_ap");
        assertThat(sys.readlink("devices/ap/card07/driver")).isEqualTo("../../../bus/ap/drivers/cex4card");
    }

    @Test
    void badWritesAreRefusedWithEinvalAndChangeNothing() {
        String[][] bad = {
            {"adapter_add", "5"},          // already in the configuration
            {"adapter_add", "7"},          // not installed, no model
            {"adapter_add", "7 CEX9C"},
            {"adapter_add", "256 CEX8C"},
            {"adapter_add", "08x"},
            {"adapter_add", "1 CEX8C extra"},
            {"adapter_add", "\n"},
            {"adapter_remove", "7"},
            {"adapter_remove", "-1"},
            {"domain_add", "4"},
            {"domain_add", "85"},
            {"domain_remove", "6"},
            {"control_domain_add", "6"},
            {"control_domain_remove", "0x20"},
            {"adapter_config", "4 1"},     // already on
            {"adapter_config", "4 2"},
            {"adapter_config", "4"},
            {"adapter_config", "7 0"},     // not installed
            {"checkstop", "4 0"},          // not check-stopped
            {"checkstop", "4 yes"},
        };
        String config = sys.read(H + "config");
        for (String[] b : bad) {
            sys.mark();
            sys.writeFails(H + b[0], b[1], Errno.EINVAL);
            assertThat(sys.logSinceMark()).as("%s %s", b[0], b[1]).singleElement().asString()
                    .startsWith("apsysfs: host: " + b[0].replace("control_", "control_") + ":");
            assertThat(sys.ueventLines()).isEmpty();
        }
        assertThat(sys.read(H + "config")).isEqualTo(config);
        assertThat(sys.read("bus/ap/scans")).isEqualTo("1\n");
    }
}
