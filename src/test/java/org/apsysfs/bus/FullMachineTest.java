package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;

/** The built-in full machine: 256 adapters x 256 domains = 65,536 queues. */
class FullMachineTest {
    @Test
    void bootsAndListsAllQueues() {
        long t0 = System.nanoTime();
        InProcessSysfs sys = new InProcessSysfs(Daemon.create("full", new ManualClock()));
        assertThat(sys.read("bus/ap/bindings")).isEqualTo("65536/65536 (complete)\n");
        assertThat(sys.read("bus/ap/ap_max_adapter_id")).isEqualTo("255\n");
        assertThat(sys.read("bus/ap/ap_max_domain_id")).isEqualTo("255\n");
        assertThat(sys.read("bus/ap/ap_adapter_mask")).isEqualTo("0x" + "f".repeat(64) + "\n");
        assertThat(sys.ls("bus/ap/devices")).hasSize(65536 + 256);
        assertThat(sys.ls("devices/ap/cardff")).filteredOn(n -> n.startsWith("ff.")).hasSize(256);
        assertThat(sys.read("devices/ap/cardc0/type")).isEqualTo("CEX7C\n");
        assertThat(sys.read("devices/ap/cardff/ff.00ff/online")).isEqualTo("1\n");
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("0\n");
        // give half the adapters to vfio_ap and back
        sys.write("bus/ap/apmask", "-128-255");
        assertThat(sys.ls("bus/ap/drivers/vfio_ap")).hasSize(32768 + 4);
        sys.write("bus/ap/apmask", "+128-255");
        assertThat(sys.ls("bus/ap/drivers/cex4queue")).hasSize(65536 + 4);
        assertThat((System.nanoTime() - t0) / 1_000_000_000L).as("seconds").isLessThan(60);
    }
}
