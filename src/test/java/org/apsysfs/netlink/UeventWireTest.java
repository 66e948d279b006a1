package org.apsysfs.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apsysfs.kernel.Uevents;
import org.junit.jupiter.api.Test;

/** The kernel's wire format of a uevent and the netlink header of an injected one. */
class UeventWireTest {
    @Test
    void payloadIsActionAtDevpathThenTheVariablesSeqnumLast() {
        Uevents u = new Uevents();
        u.send("add", "/devices/ap/card04", "ap", List.of("DEVTYPE=ap_card"));
        Uevents.Event e = u.send("change", "/devices/ap", "ap", List.of("BINDINGS=complete", "COMPLETECOUNT=1"));
        assertThat(new String(UeventWire.payload(e), StandardCharsets.UTF_8)).isEqualTo(
                "change@/devices/ap\0ACTION=change\0DEVPATH=/devices/ap\0SUBSYSTEM=ap\0BINDINGS=complete\0"
                        + "COMPLETECOUNT=1\0SEQNUM=2\0");
    }

    @Test
    void messageHasTheNetlinkHeaderUeventNetRcvAccepts() {
        Uevents u = new Uevents();
        Uevents.Event e = u.send("remove", "/devices/vfio_ap/matrix/x", "mdev", List.of());
        byte[] m = UeventWire.message(e);
        byte[] p = UeventWire.payload(e);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertThat(b.getInt()).as("nlmsg_len").isEqualTo(16 + p.length).isEqualTo(m.length);
        assertThat(b.getShort()).as("nlmsg_type >= NLMSG_MIN_TYPE").isEqualTo((short) 0x10);
        assertThat(b.getShort()).as("nlmsg_flags: NLM_F_REQUEST").isEqualTo((short) 1);
        assertThat(b.getInt()).as("nlmsg_seq").isZero();
        assertThat(b.getInt()).as("nlmsg_pid").isZero();
        assertThat(Arrays.copyOfRange(m, 16, m.length)).isEqualTo(p);
    }

    @Test
    void aListenerSeesEventsInOrderAndAReplayOfTheKeptOnes() {
        Uevents u = new Uevents();
        u.send("add", "/devices/a", "ap", List.of());
        u.send("add", "/devices/b", "ap", List.of());
        StringBuilder seen = new StringBuilder();
        long lost = u.listen(e -> seen.append(e.seqnum()).append(e.action()).append(e.devpath()).append(' '), true);
        u.send("remove", "/devices/a", "ap", List.of());
        assertThat(lost).isZero();
        assertThat(seen).hasToString("1add/devices/a 2add/devices/b 3remove/devices/a ");
        u.listen(null, false);
        u.send("remove", "/devices/b", "ap", List.of());
        assertThat(seen).hasToString("1add/devices/a 2add/devices/b 3remove/devices/a ");
    }
}
