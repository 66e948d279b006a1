package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What lszcrypt, chzcrypt and lszdev/chzdev read and write (consumers.md), in-process. */
class ConsumersViewTest {
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    @Test
    void lszcryptScanPatternsMatchOnlyCardsAndQueues() {
        Pattern card = Pattern.compile("card[0-9a-fA-F]+");
        Pattern queue = Pattern.compile("..\\....");
        List<String> top = sys.ls("devices/ap");
        assertThat(top.stream().filter(n -> card.matcher(n).find()))
                .containsExactly("card04", "card05", "card06", "card0b");
        assertThat(top).allMatch(n -> card.matcher(n).find() || List.of("power", "uevent").contains(n));
        for (String c : List.of("card04", "card05", "card06", "card0b")) {
            List<String> in = sys.ls("devices/ap/" + c);
            assertThat(in.stream().filter(n -> queue.matcher(n).find())).hasSize(4)
                    .allMatch(n -> n.matches("[0-9a-f]{2}\\.[0-9a-f]{4}"));
        }
    }

    @Test
    void lszcryptBusFilesParse() {
        assertThat(sys.read("bus/ap/ap_usage_domain_mask")).matches("0x[0-9a-f]{64}\n").doesNotContain("not");
        assertThat(sys.read("bus/ap/ap_control_domain_mask")).matches("0x[0-9a-f]{64}\n");
        for (String f : List.of("ap_domain", "ap_max_domain_id", "config_time", "poll_thread", "poll_timeout",
                "ap_interrupts")) {
            assertThat(sys.read("bus/ap/" + f)).matches("-?\\d+\n");
        }
        assertThat(sys.read("bus/ap/features")).doesNotContain("APSB");
    }

    @Test
    void lszcryptPerCardAndPerQueueFiles() {
        for (String c : List.of("card04", "card06", "card0b")) {
            String p = "devices/ap/" + c + "/";
            assertThat(sys.read(p + "type")).matches("CEX8[ACP]\n");
            for (String f : List.of("online", "config", "chkstop", "hwtype", "depth", "request_count",
                    "pendingq_count", "requestq_count", "max_msg_size")) {
                assertThat(sys.read(p + f)).as(p + f).matches("\\d+\n");
            }
            assertThat(sys.read(p + "ap_functions")).matches("0x[0-9A-F]{8}\n");
            assertThat(sys.readlink(p + "driver")).endsWith("/cex4card");
        }
        String q = "devices/ap/card04/04.0004/";
        for (String f : List.of("online", "config", "chkstop", "request_count", "pendingq_count", "requestq_count")) {
            assertThat(sys.read(q + f)).matches("\\d+\n");
        }
        assertThat(sys.read(q + "mkvps")).contains("AES CUR", "APKA CUR", "ASYM CUR");
        assertThat(sys.read("devices/ap/card0b/0b.0004/mkvps")).contains("WK CUR");
        // no SE files outside an SE guest
        assertThat(sys.exists(q + "se_bind")).isFalse();
        assertThat(sys.exists(q + "se_associate")).isFalse();
        // a vfio_ap queue has no online (lszcrypt skips it without -V) and a status
        sys.write("bus/ap/apmask", "-4");
        assertThat(sys.exists(q + "online")).isFalse();
        assertThat(sys.read(q + "status")).isEqualTo("unassigned\n");
        assertThat(sys.readlink(q + "driver")).matches(".*vfio.ap");
    }

    @Test
    void chzcryptWritesWithoutNewlineAndReadsBackAtOnce() {
        // chzcrypt -d / -e on a card through the bus link
        String c = "bus/ap/devices/card04/";
        assertThat(sys.read(c + "config")).isEqualTo("1\n");
        sys.write(c + "online", "0");
        assertThat(sys.read(c + "online")).isEqualTo("0\n");
        sys.write(c + "online", "1");
        assertThat(sys.read(c + "online")).isEqualTo("1\n");
        sys.write("bus/ap/devices/04.0047/online", "0");
        assertThat(sys.read("bus/ap/devices/04.0047/online")).isEqualTo("0\n");
        // --config-off / --config-on
        sys.write(c + "config", "0");
        assertThat(sys.read(c + "config")).isEqualTo("0\n");
        sys.write(c + "config", "1");
        assertThat(sys.read(c + "config")).isEqualTo("1\n");
        // -p/-n, -c, -t, -q
        sys.write("bus/ap/poll_thread", "1");
        assertThat(sys.read("bus/ap/poll_thread")).isEqualTo("0\n"); // interrupts in use: no poll thread
        sys.write("bus/ap/config_time", "60");
        assertThat(sys.read("bus/ap/config_time")).isEqualTo("60\n");
        sys.write("bus/ap/poll_timeout", "1500000");
        assertThat(sys.read("bus/ap/poll_timeout")).isEqualTo("1500000\n");
        sys.write("bus/ap/ap_domain", "71");
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("71\n");
        // -a lists bus/ap/devices/card*
        assertThat(sys.ls("bus/ap/devices")).filteredOn(n -> n.startsWith("card")).hasSize(4);
        assertThat(sys.isDir("bus/ap/devices/card04")).isTrue();
    }

    @Test
    void chzdevWritesAWholeMaskOf66BytesWithoutNewline() {
        String m = "0x" + "f".repeat(8) + "0".repeat(56);
        sys.write("bus/ap/apmask", m);
        assertThat(sys.read("bus/ap/apmask")).isEqualTo(m + "\n");
        sys.write("bus/ap/aqmask", "0x" + "f".repeat(64));
        // lszdev/ap-check: at least 64 hex digits after 0x
        assertThat(sys.read("bus/ap/apmask")).matches("0x[0-9a-f]{64}\n");
        // the udev rule's trigger file
        assertThat(sys.read("bus/ap/bindings_complete_count")).matches("\\d+\n");
    }

    @Test
    void udevSeesDevtypeInEveryUeventFile() {
        assertThat(sys.read("devices/ap/card04/uevent")).contains("DEVTYPE=ap_card\n");
        assertThat(sys.read("devices/ap/card04/04.0004/uevent")).contains("DEVTYPE=ap_queue\n");
        assertThat(sys.readlink("devices/ap/card04/04.0004/subsystem")).isEqualTo("../../../../bus/ap");
    }
}
