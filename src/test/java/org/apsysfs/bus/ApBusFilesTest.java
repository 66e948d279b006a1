package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * /sys/bus/ap: the exact bytes of every file (ap_bus.c: ap_bus_attrs' show functions) and every errno of
 * their stores (apmask_store, aqmask_store, ap_domain_store, poll_thread_store, ...) for
 * the bus files, through the sysfs layer as the FUSE edge calls it. Default machine: adapters
 * 04 05 (CEX8C), 06 (CEX8A), 0b (CEX8P); usage domains 4 5 0x47 0x54; control domains
 * 4 5 6 0x47 0x54; Na 255, Nd 84; zcrypt and vfio_ap loaded.
 */
class ApBusFilesTest {
    static final String ALL_ONES = "0x" + "f".repeat(64) + "\n";
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    @Test
    void busDirectoryHoldsExactlyTheKernelsFiles() {
        assertThat(sys.ls("bus/ap")).containsExactly("ap_adapter_mask", "ap_control_domain_mask", "ap_domain",
                "ap_interrupts", "ap_max_adapter_id", "ap_max_domain_id", "ap_usage_domain_mask", "apmask",
                "aqmask", "bindings", "bindings_complete_count", "config_time", "devices", "drivers",
                "drivers_autoprobe", "drivers_probe", "features", "poll_thread", "poll_timeout", "scans", "uevent");
        assertThat(sys.ls("bus/ap/drivers")).containsExactly("cex4card", "cex4queue", "vfio_ap");
        assertThat(sys.mode("bus/ap/ap_domain")).isEqualTo(0644);
        assertThat(sys.mode("bus/ap/bindings")).isEqualTo(0444);
        assertThat(sys.mode("bus/ap/drivers_probe")).isEqualTo(0200);
        assertThat(sys.mode("bus/ap/uevent")).isEqualTo(0200);
        assertThat(sys.mode("bus/ap/apmask")).isEqualTo(0644);
        assertThat(sys.mode("bus/ap/scans")).isEqualTo(0644);
        for (String drv : new String[] {"cex4card", "cex4queue", "vfio_ap"}) {
            assertThat(sys.ls("bus/ap/drivers/" + drv)).contains("bind", "unbind", "uevent", "module")
                    .doesNotContain("new_id", "remove_id");
            assertThat(sys.mode("bus/ap/drivers/" + drv + "/bind")).isEqualTo(0200);
        }
    }

    @Test
    void busFileFormats() {
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("4\n");
        assertThat(sys.read("bus/ap/ap_max_adapter_id")).isEqualTo("255\n");
        assertThat(sys.read("bus/ap/ap_max_domain_id")).isEqualTo("84\n");
        assertThat(sys.read("bus/ap/config_time")).isEqualTo("30\n");
        assertThat(sys.read("bus/ap/poll_thread")).isEqualTo("0\n");
        assertThat(sys.read("bus/ap/ap_interrupts")).isEqualTo("1\n");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("250000\n");
        assertThat(sys.read("bus/ap/apmask")).isEqualTo(ALL_ONES);
        assertThat(sys.read("bus/ap/aqmask")).isEqualTo(ALL_ONES);
        assertThat(sys.read("bus/ap/scans")).isEqualTo("1\n");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
        assertThat(sys.read("bus/ap/bindings_complete_count")).isEqualTo("1\n");
        assertThat(sys.read("bus/ap/features")).isEqualTo("APSC APXA QACT RC8A\n");
        assertThat(sys.read("bus/ap/drivers_autoprobe")).isEqualTo("1\n");
        // MSB-first masks, 0x + 64 lowercase digits: adapters 4,5,6,11 -> 0x0e10...
        assertThat(sys.read("bus/ap/ap_adapter_mask")).isEqualTo("0x0e10" + "0".repeat(60) + "\n");
        // domains 4,5 -> byte0 0x0c; 0x47 = 71 -> byte 8 bit 7 -> 0x01; 0x54 = 84 -> byte 10 bit 4 -> 0x08
        String aqm = "0x0c" + "00".repeat(7) + "01" + "00" + "08" + "00".repeat(21) + "\n";
        assertThat(sys.read("bus/ap/ap_usage_domain_mask")).isEqualTo(aqm);
        String adm = "0x0e" + "00".repeat(7) + "01" + "00" + "08" + "00".repeat(21) + "\n";
        assertThat(sys.read("bus/ap/ap_control_domain_mask")).isEqualTo(adm);
        assertThat(sys.read("bus/ap/ap_adapter_mask")).hasSize(67).doesNotContainPattern("[A-F]");
    }

    @Test
    void devicesLinksPointIntoDevicesAp() {
        assertThat(sys.ls("bus/ap/devices")).contains("card04", "card05", "card06", "card0b", "04.0004", "0b.0054")
                .hasSize(20);
        assertThat(sys.readlink("bus/ap/devices/card04")).isEqualTo("../../../devices/ap/card04");
        assertThat(sys.readlink("bus/ap/devices/04.0047")).isEqualTo("../../../devices/ap/card04/04.0047");
        assertThat(sys.readlink("bus/ap/drivers/cex4card/card04")).isEqualTo("../../../../devices/ap/card04");
        assertThat(sys.readlink("bus/ap/drivers/cex4queue/0b.0054")).isEqualTo("../../../../devices/ap/card0b/0b.0054");
        assertThat(sys.readlink("bus/ap/drivers/cex4card/module")).isEqualTo("../../../../module/zcrypt_cex4");
        assertThat(sys.readlink("bus/ap/drivers/vfio_ap/module")).isEqualTo("../../../../module/vfio_ap");
        // the root device is no device of the bus
        assertThat(sys.exists("bus/ap/devices/ap")).isFalse();
        assertThat(sys.exists("devices/ap/subsystem")).isFalse();
        assertThat(sys.read("devices/ap/uevent")).isEmpty();
    }

    // ------------------------------------------------------------------ ap_domain

    @ParameterizedTest
    @ValueSource(strings = {"5", "5\n", "0x47", "0x47\n", "  5", "\t5", "0105", "5abc", "5 6"})
    void apDomainTakesPercentI(String v) {
        sys.write("bus/ap/ap_domain", v);
        assertThat(sys.read("bus/ap/ap_domain")).isIn("5\n", "71\n", "69\n");
    }

    @Test
    void apDomainOctalAndHex() {
        sys.write("bus/ap/ap_domain", "0107");
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("71\n");
        sys.write("bus/ap/ap_domain", "0x54");
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("84\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "x", "+5", "-1", "85", "0x55", "256", "-0"})
    void apDomainRejects(String v) {
        sys.mark();
        if (v.equals("-0")) {
            // -0 is 0, a valid domain number in aqmask: accepted
            sys.write("bus/ap/ap_domain", v);
            assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("0\n");
            return;
        }
        sys.writeFails("bus/ap/ap_domain", v, Errno.EINVAL);
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("4\n");
        assertThat(sys.logSinceMark()).singleElement().asString().startsWith("ap: ap_domain:");
    }

    @Test
    void apDomainMustBeInAqmask() {
        sys.write("bus/ap/aqmask", "-5");
        sys.mark();
        sys.writeFails("bus/ap/ap_domain", "5", Errno.EINVAL);
        assertThat(sys.logSinceMark()).singleElement().asString().contains("not in aqmask");
        sys.write("bus/ap/ap_domain", "6"); // in aqmask, not in the host configuration: accepted
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("6\n");
    }

    // ------------------------------------------------------------------ config_time / poll_*

    @ParameterizedTest
    @ValueSource(strings = {"5", "120", "60\n", " 60", "60abc", "060"})
    void configTimeAccepts(String v) {
        sys.write("bus/ap/config_time", v);
        assertThat(sys.read("bus/ap/config_time")).isIn("5\n", "120\n", "60\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4", "121", "0", "-5", "\n", "abc", "+60"})
    void configTimeRejects(String v) {
        sys.mark();
        sys.writeFails("bus/ap/config_time", v, Errno.EINVAL);
        assertThat(sys.read("bus/ap/config_time")).isEqualTo("30\n");
        assertThat(sys.logSinceMark()).hasSize(1);
    }

    @Test
    void pollThreadIsABooleanAndANoOpWithInterrupts() {
        // poll_thread_store (ap_bus.c) parses with kstrtobool (lib/kstrtox.c): e/E and d/D too
        for (String v : new String[] {"1", "y", "Yes", "t", "on", "0", "n", "off", "1abc", "enable", "E",
            "disable", "D"}) {
            sys.write("bus/ap/poll_thread", v);
            assertThat(sys.read("bus/ap/poll_thread")).isEqualTo("0\n");
        }
        for (String v : new String[] {"\n", "2", "x", "o", "-1"}) {
            sys.writeFails("bus/ap/poll_thread", v, Errno.EINVAL);
        }
    }

    @Test
    void pollTimeoutIsKstrtoulUpTo120Seconds() {
        sys.write("bus/ap/poll_timeout", "120000000000");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("120000000000\n");
        sys.write("bus/ap/poll_timeout", "0x10\n");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("16\n");
        sys.write("bus/ap/poll_timeout", "010");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("8\n");
        sys.write("bus/ap/poll_timeout", "0");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("0\n");
        sys.write("bus/ap/poll_timeout", "+7");
        sys.writeFails("bus/ap/poll_timeout", "120000000001", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", "08", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", " 7", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", "7 ", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", "-1", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", "\n", Errno.EINVAL);
        sys.writeFails("bus/ap/poll_timeout", "18446744073709551616", Errno.ERANGE);
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("7\n");
    }

    // ------------------------------------------------------------------ scans, drivers_probe, bind

    @Test
    void scansWriteForcesARescan() {
        sys.write("bus/ap/scans", "anything");
        sys.write("bus/ap/scans", "\n");
        assertThat(sys.read("bus/ap/scans")).isEqualTo("3\n");
    }

    @Test
    void driversProbe() {
        sys.writeFails("bus/ap/drivers_probe", "04.0099", Errno.ENODEV);
        sys.writeFails("bus/ap/drivers_probe", "\n", Errno.ENODEV);
        sys.write("bus/ap/drivers_probe", "04.0004\n"); // already bound: nothing to do
        sys.write("bus/ap/drivers/cex4queue/unbind", "04.0004");
        assertThat(sys.exists("devices/ap/card04/04.0004/driver")).isFalse();
        sys.write("bus/ap/drivers_probe", "04.0004");
        assertThat(sys.readlink("devices/ap/card04/04.0004/driver")).isEqualTo("../../../../bus/ap/drivers/cex4queue");
    }

    @Test
    void bindAndUnbindErrnos() {
        // no such device, a card to a queue driver, a queue to a card driver: ENODEV
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "04.0099", Errno.ENODEV);
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "card04", Errno.ENODEV);
        sys.writeFails("bus/ap/drivers/cex4card/bind", "04.0004", Errno.ENODEV);
        sys.writeFails("bus/ap/drivers/vfio_ap/bind", "card04", Errno.ENODEV);
        // already bound: EBUSY
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "04.0004", Errno.EBUSY);
        sys.writeFails("bus/ap/drivers/cex4card/bind", "card04", Errno.EBUSY);
        // unbind of a device not bound to this driver: ENODEV
        sys.writeFails("bus/ap/drivers/vfio_ap/unbind", "04.0004", Errno.ENODEV);
        sys.writeFails("bus/ap/drivers/vfio_ap/unbind", "1", Errno.ENODEV);
        sys.write("bus/ap/drivers/cex4queue/unbind", "04.0004\n");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("15/16\n");
        // reservation mismatch: a reserved queue cannot go to vfio_ap
        sys.writeFails("bus/ap/drivers/vfio_ap/bind", "04.0004", Errno.ENODEV);
        sys.write("bus/ap/drivers/cex4queue/bind", "04.0004");
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
        // a free queue cannot go to cex4queue
        sys.write("bus/ap/apmask", "-4");
        sys.write("bus/ap/drivers/vfio_ap/unbind", "04.0004");
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "04.0004", Errno.ENODEV);
        sys.write("bus/ap/drivers/vfio_ap/bind", "04.0004");
        // cards have no reservation check
        sys.write("bus/ap/drivers/cex4card/unbind", "card04");
        sys.write("bus/ap/drivers/cex4card/bind", "card04");
    }

    /** A write of 0 bytes never reaches a store (sysfs_kf_write returns 0 at once). */
    @Test
    void emptyWritesAreNoOps() {
        sys.mark();
        for (String f : new String[] {"ap_domain", "config_time", "poll_thread", "poll_timeout", "apmask",
                "aqmask", "scans", "drivers_probe"}) {
            sys.write("bus/ap/" + f, "");
        }
        sys.write("bus/ap/drivers/cex4queue/bind", "");
        assertThat(sys.read("bus/ap/scans")).isEqualTo("1\n");
        assertThat(sys.read("bus/ap/apmask")).isEqualTo(ALL_ONES);
        assertThat(sys.ueventLines()).isEmpty();
        assertThat(sys.logSinceMark()).isEmpty();
    }

    @Test
    void refusedStoresLogOneLineEach() {
        sys.mark();
        sys.writeFails("bus/ap/config_time", "1", Errno.EINVAL);
        sys.writeFails("bus/ap/apmask", "0xq", Errno.EINVAL);
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "zz", Errno.ENODEV);
        sys.writeFails("bus/ap/poll_timeout", "1x", Errno.EINVAL);
        assertThat(sys.logSinceMark()).hasSize(4);
    }
}
