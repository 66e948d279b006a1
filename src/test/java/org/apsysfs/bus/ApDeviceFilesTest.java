package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Card and queue directories (ap_card.c ap_card_dev_attrs, ap_queue.c ap_queue_dev_attrs): exact formats, which files exist for which
 * driver and mode, uevent contents, and the errnos of the stores (config_store in ap_card.c, online_store in zcrypt_card.c) for card {@code config},
 * card/queue {@code online} and queue {@code driver_override}.
 */
class ApDeviceFilesTest {
    static final String C4 = "devices/ap/card04";
    static final String Q4 = "devices/ap/card04/04.0004";
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    @Test
    void depthIsTheQueueDepthFieldPlusOne() {
        // depth_show (drivers/s390/crypto/ap_card.c): sysfs_emit("%d\n", ac->hwinfo.qd + 1)
        InProcessSysfs m = new InProcessSysfs(Daemon.create(org.apsysfs.hardware.MachineSpec.parse(
                "{\"adapters\": [{\"id\": 1, \"model\": \"CEX8A\", \"qd\": 0},"
                + " {\"id\": 2, \"model\": \"CEX8C\", \"qd\": 15}], \"usageDomains\": [1]}", "t"),
                new ManualClock()));
        assertThat(m.read("devices/ap/card01/depth")).isEqualTo("1\n");
        assertThat(m.read("devices/ap/card02/depth")).isEqualTo("16\n");
    }

    @Test
    void cardFilesOfACcaCardBoundToCex4card() {
        assertThat(sys.ls(C4)).containsExactly("04.0004", "04.0005", "04.0047", "04.0054", "ap_functions",
                "chkstop", "config", "depth", "driver", "hwtype", "load", "max_msg_size", "modalias", "online",
                "pendingq_count", "power", "raw_hwtype", "request_count", "requestq_count", "serialnr",
                "subsystem", "type", "uevent");
        assertThat(sys.read(C4 + "/hwtype")).isEqualTo("14\n");
        assertThat(sys.read(C4 + "/raw_hwtype")).isEqualTo("14\n");
        // depth_show (ap_card.c): hwinfo.qd + 1, the default machine's qd field is 7
        assertThat(sys.read(C4 + "/depth")).isEqualTo("8\n");
        assertThat(sys.read(C4 + "/ap_functions")).isEqualTo("0x92000000\n");
        assertThat(sys.read(C4 + "/request_count")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/requestq_count")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/pendingq_count")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/modalias")).isEqualTo("ap:t0E\n");
        assertThat(sys.read(C4 + "/config")).isEqualTo("1\n");
        assertThat(sys.read(C4 + "/chkstop")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/max_msg_size")).isEqualTo("12288\n");
        assertThat(sys.read(C4 + "/type")).isEqualTo("CEX8C\n");
        assertThat(sys.read(C4 + "/online")).isEqualTo("1\n");
        assertThat(sys.read(C4 + "/load")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/serialnr")).isEqualTo("SIMC0004\n");
        assertThat(sys.read(C4 + "/uevent"))
                .isEqualTo("DEVTYPE=ap_card\nDRIVER=cex4card\nDEV_TYPE=000E\nMODALIAS=ap:t0E\nMODE=cca\n");
        assertThat(sys.readlink(C4 + "/driver")).isEqualTo("../../../bus/ap/drivers/cex4card");
        assertThat(sys.readlink(C4 + "/subsystem")).isEqualTo("../../../bus/ap");
        assertThat(sys.mode(C4 + "/config")).isEqualTo(0644);
        assertThat(sys.mode(C4 + "/online")).isEqualTo(0644);
        assertThat(sys.mode(C4 + "/request_count")).isEqualTo(0644);
        assertThat(sys.mode(C4 + "/chkstop")).isEqualTo(0444);
        assertThat(sys.mode(C4 + "/uevent")).isEqualTo(0644);
    }

    @Test
    void accelAndEp11Cards() {
        assertThat(sys.read("devices/ap/card06/type")).isEqualTo("CEX8A\n");
        assertThat(sys.read("devices/ap/card06/ap_functions")).isEqualTo("0xEA000000\n");
        assertThat(sys.exists("devices/ap/card06/serialnr")).isFalse();
        assertThat(sys.read("devices/ap/card06/uevent")).endsWith("MODE=accel\n");
        assertThat(sys.exists("devices/ap/card06/06.0004/mkvps")).isFalse();
        assertThat(sys.exists("devices/ap/card06/06.0004/op_modes")).isFalse();

        String p = "devices/ap/card0b";
        assertThat(sys.read(p + "/type")).isEqualTo("CEX8P\n");
        assertThat(sys.read(p + "/ap_functions")).isEqualTo("0x86000000\n");
        assertThat(sys.read(p + "/uevent")).endsWith("MODE=ep11\n");
        assertThat(sys.ls(p)).contains("API_ordinalnr", "FW_version", "serialnr", "op_modes");
        assertThat(sys.read(p + "/API_ordinalnr")).isEqualTo("8\n");
        assertThat(sys.read(p + "/FW_version")).isEqualTo("7.45\n");
        assertThat(sys.read(p + "/serialnr")).isEqualTo("SIMP00000000000B\n");
        assertThat(sys.read(p + "/op_modes")).isEqualTo("\n");
        assertThat(sys.read(p + "/0b.0004/mkvps")).matches("WK CUR: valid 0x[0-9a-f]{64}\nWK NEW: empty -\n");
        assertThat(sys.read(p + "/0b.0004/op_modes")).isEqualTo("\n");
    }

    @Test
    void queueFilesBoundToCex4queue() {
        assertThat(sys.ls(Q4)).containsExactly("ap_functions", "chkstop", "config", "driver", "driver_override",
                "interrupt", "load", "mkvps", "online", "pendingq_count", "power", "request_count",
                "requestq_count", "reset", "subsystem", "uevent");
        assertThat(sys.read(Q4 + "/request_count")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/requestq_count")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/pendingq_count")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/reset")).isEqualTo("No Reset Timer set.\n");
        assertThat(sys.read(Q4 + "/interrupt")).isEqualTo("Interrupts enabled.\n");
        assertThat(sys.read(Q4 + "/config")).isEqualTo("1\n");
        assertThat(sys.read(Q4 + "/chkstop")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/ap_functions")).isEqualTo("0x92000000\n");
        assertThat(sys.read(Q4 + "/driver_override")).isEqualTo("\n");
        assertThat(sys.read(Q4 + "/online")).isEqualTo("1\n");
        assertThat(sys.read(Q4 + "/load")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/mkvps")).matches("AES NEW: empty 0x0{16}\nAES CUR: valid 0x[0-9a-f]{16}\n"
                + "AES OLD: invalid 0x0{16}\nAPKA NEW: empty 0x0{16}\nAPKA CUR: valid 0x[0-9a-f]{16}\n"
                + "APKA OLD: invalid 0x0{16}\nASYM NEW: empty 0x0{32}\nASYM CUR: valid 0x[0-9a-f]{32}\n"
                + "ASYM OLD: invalid 0x0{32}\n");
        assertThat(sys.read(Q4 + "/uevent")).isEqualTo("DEVTYPE=ap_queue\nDRIVER=cex4queue\nMODE=cca\n");
        assertThat(sys.readlink(Q4 + "/driver")).isEqualTo("../../../../bus/ap/drivers/cex4queue");
        assertThat(sys.readlink(Q4 + "/subsystem")).isEqualTo("../../../../bus/ap");
        assertThat(sys.mode(Q4 + "/config")).isEqualTo(0444);
        assertThat(sys.mode(Q4 + "/reset")).isEqualTo(0644);
        assertThat(sys.mode(Q4 + "/driver_override")).isEqualTo(0644);
        sys.writeFails(Q4 + "/config", "0", Errno.EACCES);
    }

    @Test
    void zcryptFilesVanishWhenTheQueueLeavesCex4queueAndVfioApFilesAppear() {
        sys.write("bus/ap/apmask", "-4");
        assertThat(sys.readlink(Q4 + "/driver")).isEqualTo("../../../../bus/ap/drivers/vfio_ap");
        assertThat(sys.ls(Q4)).contains("status", "request_count", "reset", "interrupt", "driver_override")
                .doesNotContain("online", "load", "mkvps", "op_modes");
        assertThat(sys.read(Q4 + "/status")).isEqualTo("unassigned\n");
        assertThat(sys.read(Q4 + "/request_count")).isEqualTo("-\n");
        assertThat(sys.read(Q4 + "/requestq_count")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/uevent")).isEqualTo("DEVTYPE=ap_queue\nDRIVER=vfio_ap\nMODE=cca\n");
        // the card stays with cex4card: no reservation for cards
        assertThat(sys.read(C4 + "/type")).isEqualTo("CEX8C\n");

        // unbound: no driver link, no driver files, request_count "-", uevent without DRIVER=
        sys.write("bus/ap/drivers/vfio_ap/unbind", "04.0004");
        assertThat(sys.exists(Q4 + "/driver")).isFalse();
        assertThat(sys.ls(Q4)).doesNotContain("status", "online", "load", "mkvps");
        assertThat(sys.read(Q4 + "/request_count")).isEqualTo("-\n");
        assertThat(sys.read(Q4 + "/uevent")).isEqualTo("DEVTYPE=ap_queue\nMODE=cca\n");

        // back to the default driver
        sys.write("bus/ap/apmask", "+4");
        assertThat(sys.readlink(Q4 + "/driver")).isEqualTo("../../../../bus/ap/drivers/cex4queue");
        assertThat(sys.ls(Q4)).contains("online", "load", "mkvps").doesNotContain("status");
        assertThat(sys.read(Q4 + "/request_count")).isEqualTo("0\n");
    }

    @Test
    void cardFilesOnlyWhileBoundToCex4card() {
        sys.write("bus/ap/drivers/cex4card/unbind", "card04");
        assertThat(sys.ls(C4)).doesNotContain("type", "online", "load", "serialnr", "driver")
                .contains("hwtype", "config", "chkstop");
        assertThat(sys.read(C4 + "/uevent")).isEqualTo("DEVTYPE=ap_card\nDEV_TYPE=000E\nMODALIAS=ap:t0E\nMODE=cca\n");
        sys.write("bus/ap/drivers/cex4card/bind", "card04");
        assertThat(sys.ls(C4)).contains("type", "online", "load", "serialnr");
    }

    // ------------------------------------------------------------------ card config

    @Test
    void cardConfigStore() {
        sys.mark();
        sys.write(C4 + "/config", "0");
        assertThat(sys.read(C4 + "/config")).isEqualTo("0\n");
        assertThat(sys.read(C4 + "/online")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/config")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/online")).isEqualTo("0\n");
        assertThat(sys.exists(Q4)).isTrue();
        assertThat(sys.ueventLines()).contains(
                "change /devices/ap/card04 DEVTYPE=ap_card DRIVER=cex4card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca CONFIG=0",
                "change /devices/ap/card04/04.0004 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca CONFIG=0");
        sys.writeFails(C4 + "/online", "1", Errno.ENODEV);
        sys.writeFails(Q4 + "/online", "1", Errno.ENODEV);
        // writing the current value: no SCLP call, but the uevent is sent
        sys.mark();
        sys.write(C4 + "/config", "0\n");
        assertThat(sys.ueventLines()).containsExactly(
                "change /devices/ap/card04 DEVTYPE=ap_card DRIVER=cex4card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca CONFIG=0");
        sys.write(C4 + "/config", "1abc"); // %d: trailing junk ignored
        assertThat(sys.read(C4 + "/config")).isEqualTo("1\n");
        assertThat(sys.read(Q4 + "/config")).isEqualTo("1\n");
        assertThat(sys.read(C4 + "/online")).isEqualTo("1\n");
        assertThat(sys.read(Q4 + "/online")).isEqualTo("1\n");
        assertThat(sys.read(Q4 + "/reset")).isEqualTo("No Reset Timer set.\n");
        assertThat(sys.read(Q4 + "/interrupt")).isEqualTo("Interrupts enabled.\n");
    }

    @Test
    void cardConfigRejects() {
        for (String v : new String[] {"2", "-1", "x", "\n", "+1"}) {
            sys.mark();
            sys.writeFails(C4 + "/config", v, Errno.EINVAL);
            assertThat(sys.logSinceMark()).as("log for %s", v).singleElement().asString().startsWith("ap: card04: config");
        }
        assertThat(sys.read(C4 + "/config")).isEqualTo("1\n");
    }

    @Test
    void cardConfigReturnsTheSclpErrno() {
        sys.daemon().hardware().injectSclpError(4, Errno.EIO);
        sys.mark();
        sys.writeFails(C4 + "/config", "0", Errno.EIO);
        assertThat(sys.read(C4 + "/config")).isEqualTo("1\n");
        assertThat(sys.ueventLines()).isEmpty();
        assertThat(sys.logSinceMark()).hasSize(1);
    }

    // ------------------------------------------------------------------ online

    @Test
    void cardOnlineForcesItsQueues() {
        sys.mark();
        sys.write(C4 + "/online", "0");
        assertThat(sys.read(C4 + "/online")).isEqualTo("0\n");
        assertThat(sys.read(Q4 + "/online")).isEqualTo("0\n");
        assertThat(sys.ueventLines()).containsExactly(
                "change /devices/ap/card04 DEVTYPE=ap_card DRIVER=cex4card DEV_TYPE=000E MODALIAS=ap:t0E MODE=cca ONLINE=0",
                "change /devices/ap/card04/04.0004 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca ONLINE=0",
                "change /devices/ap/card04/04.0005 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca ONLINE=0",
                "change /devices/ap/card04/04.0047 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca ONLINE=0",
                "change /devices/ap/card04/04.0054 DEVTYPE=ap_queue DRIVER=cex4queue MODE=cca ONLINE=0");
        // a queue cannot go online while its card is offline: EINVAL
        sys.writeFails(Q4 + "/online", "1", Errno.EINVAL);
        sys.write(Q4 + "/online", "0"); // no change, uevent still sent
        sys.mark();
        sys.write(C4 + "/online", "1");
        assertThat(sys.ueventLines()).hasSize(5);
        sys.mark();
        sys.write(C4 + "/online", "1"); // nothing changes: only the card's event
        assertThat(sys.ueventLines()).hasSize(1);
        sys.write(Q4 + "/online", "0");
        assertThat(sys.read(Q4 + "/online")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card04/04.0005/online")).isEqualTo("1\n");
        sys.write(Q4 + "/online", "1\n");
        for (String v : new String[] {"2", "-1", "on", "\n"}) {
            sys.writeFails(C4 + "/online", v, Errno.EINVAL);
            sys.writeFails(Q4 + "/online", v, Errno.EINVAL);
        }
    }

    // ------------------------------------------------------------------ driver_override

    @Test
    void driverOverrideRules() {
        sys.write(Q4 + "/driver_override", "vfio_ap\n");
        assertThat(sys.read(Q4 + "/driver_override")).isEqualTo("vfio_ap\n");
        // no rebind by itself
        assertThat(sys.readlink(Q4 + "/driver")).isEqualTo("../../../../bus/ap/drivers/cex4queue");
        // masks cannot change while an override is set
        sys.mark();
        sys.writeFails("bus/ap/apmask", "-5", Errno.EINVAL);
        assertThat(sys.logSinceMark()).singleElement().asString().contains("driver_override");
        // the override decides, not the masks
        sys.write("bus/ap/drivers/cex4queue/unbind", "04.0004");
        sys.writeFails("bus/ap/drivers/cex4queue/bind", "04.0004", Errno.ENODEV);
        sys.write("bus/ap/drivers/vfio_ap/bind", "04.0004");
        assertThat(sys.read(Q4 + "/status")).isEqualTo("unassigned\n");
        // "abc\ndef" keeps "abc"; "\n" clears
        sys.write(Q4 + "/driver_override", "cex4queue\nxyz");
        assertThat(sys.read(Q4 + "/driver_override")).isEqualTo("cex4queue\n");
        sys.write(Q4 + "/driver_override", "\n");
        assertThat(sys.read(Q4 + "/driver_override")).isEqualTo("\n");
        sys.write("bus/ap/apmask", "-5"); // no override left: allowed
        // overrides are refused while the masks are not all ones
        sys.mark();
        sys.writeFails(Q4 + "/driver_override", "vfio_ap", Errno.EINVAL);
        assertThat(sys.logSinceMark()).hasSize(1);
        sys.write("bus/ap/apmask", "+5");
        sys.writeFails(Q4 + "/driver_override", "x".repeat(4095), Errno.EINVAL);
        sys.write(Q4 + "/driver_override", "x".repeat(4094));
    }

    // ------------------------------------------------------------------ request_count, reset

    @Test
    void resetAndRequestCount() {
        sys.write(Q4 + "/reset", "x");
        assertThat(sys.read(Q4 + "/reset")).isEqualTo("No Reset Timer set.\n");
        sys.write(Q4 + "/request_count", "whatever");
        sys.write(C4 + "/request_count", "0");
        assertThat(sys.read(C4 + "/request_count")).isEqualTo("0\n");
        // a queue never initialised by cex4queue shows a reset in progress forever
        sys.write("bus/ap/apmask", "-5");
        String q = "devices/ap/card05/05.0004";
        assertThat(sys.read(q + "/request_count")).isEqualTo("-\n");
        sys.write(q + "/reset", "1");
        assertThat(sys.read(q + "/reset")).isEqualTo("Reset in progress.\n");
    }
}
