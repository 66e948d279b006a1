package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Clock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;

/**
 * A queue probed again right after a driver let go of it (the remove ZAPQs the queue): the
 * state machine waits out that reset (RESET_WAIT, "Reset in progress.") and then enables
 * interrupts, as ap_queue.c's does; it does not end idle with interrupts off.
 */
class QueueReprobeTest {
    static final String Q = "devices/ap/card04/04.0004/";

    @Test
    void aReprobedQueueEndsWithInterruptsEnabled() throws Exception {
        // the real clock: the remove's ZAPQ takes the machine's reset latency
        InProcessSysfs sys = new InProcessSysfs(Daemon.create("default", Clock.system()));
        assertThat(sys.read(Q + "interrupt")).isEqualTo("Interrupts enabled.\n");
        for (int round = 0; round < 5; round++) {
            sys.write("bus/ap/apmask", "-4");
            sys.write("bus/ap/apmask", "+4");
            assertThat(sys.readlink(Q + "driver")).endsWith("/cex4queue");
            String reset = sys.read(Q + "reset");
            String irq = sys.read(Q + "interrupt");
            // while the reset runs: "Reset in progress." with interrupts still off; after it
            // (by now, or a moment later): idle with interrupts on, never idle with them off
            assertThat(reset + irq).isIn("Reset in progress.\nInterrupts disabled.\n",
                    "No Reset Timer set.\nInterrupts enabled.\n");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!sys.read(Q + "interrupt").equals("Interrupts enabled.\n") && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling with a bound, not synchronisation
            }
            assertThat(sys.read(Q + "interrupt")).isEqualTo("Interrupts enabled.\n");
            assertThat(sys.read(Q + "reset")).isEqualTo("No Reset Timer set.\n");
        }
    }
}
