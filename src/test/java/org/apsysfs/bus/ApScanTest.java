package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.hardware.MachineSpec;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;

/**
 * What a bus scan (ap_scan_bus → ap_scan_adapter → ap_scan_domains in
 * drivers/s390/crypto/ap_bus.c) does with cards and queues.
 */
class ApScanTest {
    static final String H = SysfsPaths.HOST;

    static InProcessSysfs boot(String json) {
        return new InProcessSysfs(Daemon.create(MachineSpec.parse(json, "t"), new ManualClock()));
    }

    /** An adapter of a type newer than CEX8 (raw type 15) with usage domains 4 and 5 only. */
    static final String NEWER = """
            {"features": ["APSC", "APXA", "QACT", "RC8A"],
             "adapters": [{"id": 1, "model": "CEX8C", "rawType": 15, "compatType": 14},
                          {"id": 2, "model": "CEX8A"}],
             "usageDomains": [4, 5], "controlDomains": [4, 5]}
            """;

    @Test
    void aNewerTypeIsMappedByQactOnTheFirstDomainThatAnsweredTapq() {
        // ap_get_compatible_type(qid, ...) runs QACT on the qid of the first configured domain
        // whose TAPQ gave information (here 01.0004), not on domain 0 (not in the AQM)
        InProcessSysfs sys = boot(NEWER);
        assertThat(sys.read("devices/ap/card01/raw_hwtype")).isEqualTo("15\n");
        assertThat(sys.read("devices/ap/card01/hwtype")).isEqualTo("14\n");
        assertThat(sys.ls("devices/ap/card01")).contains("01.0004", "01.0005");
    }

    @Test
    void aRescanDoesNotAskQactAgainForAnExistingCard() {
        // ap_scan_adapter calls ap_get_compatible_type only when it builds a new card; an existing
        // card whose raw type and functions are unchanged stays, check-stopped or deconfigured
        InProcessSysfs sys = boot(NEWER);
        sys.write(H + "checkstop", "1 1");
        assertThat(sys.read("devices/ap/card01/chkstop")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card01/hwtype")).isEqualTo("14\n");
        sys.write(H + "checkstop", "1 0");
        sys.write(H + "adapter_config", "1 0");
        assertThat(sys.read("devices/ap/card01/config")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card01/hwtype")).isEqualTo("14\n");
        assertThat(sys.read("devices/ap/card01/01.0004/config")).isEqualTo("0\n");
        sys.write(H + "adapter_config", "1 1");
        assertThat(sys.read("devices/ap/card01/config")).isEqualTo("1\n");
    }

    @Test
    void queuesAScanCreatesAreInitialisedWhateverDriverTheyBindTo() {
        // ap_scan_domains: a new queue device that is configured and not check-stopped gets
        // ap_queue_init_state ("nudge the queue's state machine") after device_register, so a
        // queue that bound to vfio_ap is operating: request_count reads 0, not "-"
        InProcessSysfs sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
        sys.write("bus/ap/apmask", "-5");
        // moved from cex4queue to vfio_ap: ap_queue_remove left it uninitiated
        assertThat(sys.read("devices/ap/card05/05.0004/request_count")).isEqualTo("-\n");
        sys.write(H + "adapter_remove", "5");
        sys.write(H + "adapter_add", "5");
        assertThat(sys.readlink("devices/ap/card05/05.0004/driver")).endsWith("/vfio_ap");
        assertThat(sys.read("devices/ap/card05/05.0004/request_count")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card05/05.0004/requestq_count")).isEqualTo("0\n");

        // a new domain: its queues on adapter 5 (vfio_ap) and 4 (cex4queue) both start operating
        sys.write(H + "domain_add", "0x20");
        assertThat(sys.readlink("devices/ap/card05/05.0020/driver")).endsWith("/vfio_ap");
        assertThat(sys.read("devices/ap/card05/05.0020/request_count")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card04/04.0020/request_count")).isEqualTo("0\n");
    }
}
