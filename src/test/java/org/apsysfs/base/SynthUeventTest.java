package org.apsysfs.base;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writing a {@code uevent} file: {@code kobject_synth_uevent}'s grammar and refusals. */
class SynthUeventTest {
    static final String UEVENT = "devices/ap/card04/uevent";
    static final String UUID = "0fe9a4b2-3bd0-4e54-B0A6-3b8e4bd6fa01";
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
        sys.mark();
    }

    @Test
    void anActionAloneCarriesUuidZero() {
        sys.write(UEVENT, "change\n");
        assertThat(sys.ueventLines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("change /devices/ap/card04 ").endsWith(" SYNTH_UUID=0"));
    }

    @Test
    void aUuidAndKeyValuePairsBecomeSynthVariables() {
        sys.write(UEVENT, "add " + UUID + " A=1 Key2=x9\n");
        assertThat(sys.ueventLines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("add /devices/ap/card04 ")
                .endsWith(" SYNTH_UUID=" + UUID + " SYNTH_ARG_A=1 SYNTH_ARG_Key2=x9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"change 1234", "change ", "change " + UUID + " ", "change " + UUID + "x",
        "change " + UUID + " A=", "change " + UUID + " =1", "change " + UUID + " A", "change " + UUID + " A-B=1",
        "change " + UUID + " A=1  B=2", "change " + UUID + " A=1.5", "change 0fe9a4b2_3bd0-4e54-b0a6-3b8e4bd6fa01",
        "change 0fe9a4b2-3bd0-4e54-b0a6-3b8e4bd6fa0g"})
    void malformedArgumentsAreRefusedAndSendNothing(String value) {
        sys.writeFails(UEVENT, value, Errno.EINVAL);
        assertThat(sys.ueventLines()).isEmpty();
        assertThat(sys.logSinceMark()).contains("synth uevent: /devices/ap/card04: incorrect uevent action arguments");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\n\n", "chang", "change2", "CHANGE", " change", "change\n\n"})
    void anUnknownActionIsRefused(String value) {
        sys.writeFails(UEVENT, value, Errno.EINVAL);
        assertThat(sys.ueventLines()).isEmpty();
        assertThat(sys.logSinceMark()).contains("synth uevent: /devices/ap/card04: unknown uevent action string");
    }
}
