package org.apsysfs.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.function.Predicate;
import org.apsysfs.Daemon;
import org.apsysfs.fuzz.TreeSnapshot;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;

/** Dump, restore, dump again: the same state and the same tree. */
class StateRoundTripTest {
    /**
     * What a reboot does not keep: counters, the log, the last guest instruction's result,
     * and the state control file itself (it is added by the Simulation, not by the Daemon).
     */
    static final Predicate<String> NOT_STATE = p -> TreeSnapshot.EVER_CHANGING.contains(p)
            || p.endsWith("/request_count") || p.endsWith("/requestq_count") || p.endsWith("/pendingq_count")
            || p.endsWith("/pqap") || p.equals("/bus/ap/scans") || p.equals("/bus/ap/bindings_complete_count")
            || p.equals("/kernel/debug/apsysfs/faults") || p.endsWith("/status") && p.contains("/guests/")
            || p.endsWith("/uevent") && p.contains("/devices/ap/");

    /** A system with something of every kind of state. */
    static Sim rich() {
        Sim s = Sim.vfio();
        String a = s.createMdev();
        String b = s.createMdev();
        s.mdevWrite(a, "assign_adapter", "4");
        s.mdevWrite(a, "assign_adapter", "5");
        s.mdevWrite(a, "assign_domain", "4");
        s.mdevWrite(a, "assign_domain", "0x47");
        s.mdevWrite(a, "assign_control_domain", "6");
        s.mdevWrite(b, "assign_adapter", "6");
        s.mdevWrite(b, "assign_domain", "5");
        s.ok("/bus/ap/drivers/cex4queue/unbind", "0b.0005\n");
        s.ok("/devices/ap/card0b/0b.0047/online", "0\n");
        s.ok("/bus/ap/poll_timeout", "123456\n");
        s.ok(SysfsPaths.HOST + "control_domain_remove", "0x54\n");
        s.guest("g1");
        s.attach("g1", a);
        assertThat(s.pqap("g1", "aqic 04.0004 enable 3 0x10000")).contains("rc=0x00");
        s.guest("g2", "nogisa", "mem=0x20000000");
        // a guest without a CRYCB may have several mdevs open (vfio_ap_mdev_set_kvm)
        String c = s.createMdev();
        String e = s.createMdev();
        s.guest("g3", "nocrycb");
        s.attach("g3", c);
        s.attach("g3", e);
        s.ok(SysfsPaths.FAULTS, "tapq 0b.0004 BUSY 3\n");
        s.ok(SysfsPaths.FAULTS, "reset_delay 04.0005 50\n");
        s.settle();
        return s;
    }

    @Test
    void restoringADumpGivesTheSameStateAndTree() {
        Sim s = rich();
        ObjectNode doc = StateFormat.dump(s.d);
        Daemon back = StateFormat.restore(doc, new ManualClock());
        Sim r = Sim.of(back);
        r.settle();
        assertThat(StateFormat.render(StateFormat.dump(back))).isEqualTo(StateFormat.render(doc));
        TreeSnapshot before = TreeSnapshot.of(s.fs, NOT_STATE);
        TreeSnapshot after = TreeSnapshot.of(back.kernel().sysfs(), NOT_STATE);
        assertThat(before.diff(after)).as("tree after restore").isNull();
        // the kept pieces by name, so that a regression says what was lost
        String text = StateFormat.render(doc);
        assertThat(text).contains("\"0b.0005\"", "\"online\" : false", "\"name\" : \"g1\"", "tapq 0b.0004 BUSY 3",
                "reset_delay 04.0005 50", "\"poll_timeout\" : \"123456\"", "\"more_mdevs\" : [");
        assertThat(r.guestRead("g1", "status")).contains("mdev: " + s.d.vfioAp().matrixDev().mdevs().get(0).name());
        assertThat(r.read("/kernel/debug/apsysfs/faults")).contains("tapq 0b.0004 BUSY 3");
    }

    @Test
    void theDefaultMachineDumpsToASmallDocumentAndBack() {
        Sim s = Sim.manual();
        JsonNode doc = StateFormat.dump(s.d);
        assertThat(doc.get("devices").size()).isZero();
        assertThat(doc.get("mdevs").size()).isZero();
        assertThat(StateFormat.render(doc).length()).isLessThan(2000);
        Daemon back = StateFormat.restore(StateFormat.parse(StateFormat.render(doc), "t"), new ManualClock());
        assertThat(StateFormat.dump(back)).isEqualTo(doc);
    }

    @Test
    void aBadStateIsRefusedNamingTheField() {
        Sim s = rich();
        ObjectNode doc = StateFormat.dump(s.d);
        ObjectNode bad = doc.deepCopy();
        ((ObjectNode) bad.get("mdevs").get(0)).putArray("adapters").add("0x1ff");
        assertThatThrownBy(() -> StateFormat.restore(bad, new ManualClock()))
                .isInstanceOf(StateException.class).hasMessageStartingWith("mdevs[0].adapters[0]: ID 0x1ff is outside");
        ObjectNode bad2 = doc.deepCopy();
        bad2.put("format", "something-else");
        assertThatThrownBy(() -> StateFormat.restore(bad2, new ManualClock())).hasMessageStartingWith("format:");
        ObjectNode bad3 = doc.deepCopy();
        ((ObjectNode) bad3.get("machine")).put("maxDomainId", 999);
        assertThatThrownBy(() -> StateFormat.restore(bad3, new ManualClock())).hasMessageStartingWith("machine.maxDomainId");
        ObjectNode bad4 = doc.deepCopy();
        ((ObjectNode) bad4.get("devices")).putObject("0b.0099").put("driver", "cex4queue");
        assertThatThrownBy(() -> StateFormat.restore(bad4, new ManualClock()))
                .hasMessage("devices.0b.0099: no such device on the restored machine");
        ObjectNode bad5 = doc.deepCopy();
        bad5.put("extra", 1);
        assertThatThrownBy(() -> StateFormat.restore(bad5, new ManualClock())).hasMessageStartingWith("extra: unknown field");
        // a state the stores refuse: two mdevs sharing an APQN
        ObjectNode bad6 = doc.deepCopy();
        ((ObjectNode) bad6.get("mdevs").get(1)).putArray("adapters").add("0x04");
        ((ObjectNode) bad6.get("mdevs").get(1)).putArray("domains").add("0x0004");
        assertThatThrownBy(() -> StateFormat.restore(bad6, new ManualClock()))
                .hasMessageContaining("mdevs[1]: cannot be restored: writing").hasMessageContaining("EADDRINUSE");
        assertThat(Set.of()).isEmpty();
    }

    @Test
    void truncatedTextIsIncompleteAndGarbageIsNotJson() {
        String text = StateFormat.render(StateFormat.dump(Sim.manual().d));
        assertThat(StateFormat.parseOrIncomplete(text.substring(0, text.length() / 2), "t")).isNull();
        assertThatThrownBy(() -> StateFormat.parse(text.substring(0, text.length() / 2), "t"))
                .hasMessageContaining("ends early");
        assertThatThrownBy(() -> StateFormat.parse("{]", "t")).hasMessageStartingWith("t: not valid JSON");
        assertThatThrownBy(() -> StateFormat.parse(text + "}", "t")).hasMessageStartingWith("t: not valid JSON");
        assertThatThrownBy(() -> StateFormat.parse("", "t")).hasMessageContaining("empty");
    }
}
