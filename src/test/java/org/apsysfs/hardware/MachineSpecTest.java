package org.apsysfs.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MachineSpecTest {

    @Test
    void defaultMachineIsExactlyAsSpecified() {
        MachineSpec m = MachineSpec.builtin("default");
        assertThat(m.features()).containsExactly(ApFeature.APSC, ApFeature.APXA, ApFeature.QACT, ApFeature.RC8A);
        assertThat(m.na()).isEqualTo(255);
        assertThat(m.nd()).isEqualTo(84);
        assertThat(m.maxAdapterId()).isEqualTo(255);
        assertThat(m.maxDomainId()).isEqualTo(84);
        assertThat(m.adapters()).extracting(AdapterSpec::id).containsExactly(4, 5, 6, 11);
        assertThat(m.adapters()).extracting(a -> a.model().typeName())
                .containsExactly("CEX8C", "CEX8C", "CEX8A", "CEX8P");
        assertThat(m.adapters()).allSatisfy(a -> {
            assertThat(a.rawType()).isEqualTo(14);
            assertThat(a.configured()).isTrue();
            assertThat(a.checkstopped()).isFalse();
        });
        assertThat(m.usageDomains().ids()).containsExactly(0x04, 0x05, 0x47, 0x54);
        assertThat(m.controlDomains().ids()).containsExactly(0x04, 0x05, 0x06, 0x47, 0x54);
        assertThat(m.qciInstalled()).isTrue();
    }

    @Test
    void fullMachine() {
        MachineSpec m = MachineSpec.builtin("full");
        assertThat(m.adapters()).hasSize(256);
        assertThat(m.maxAdapterId()).isEqualTo(255);
        assertThat(m.maxDomainId()).isEqualTo(255);
        assertThat(m.usageDomains().isFull()).isTrue();
        assertThat(m.controlDomains().isFull()).isTrue();
        assertThat(m.adapters()).extracting(AdapterSpec::mode).contains(ApMode.CCA, ApMode.ACCEL, ApMode.EP11);
    }

    @Test
    void unknownBuiltin() {
        assertThatThrownBy(() -> MachineSpec.builtin("huge")).isInstanceOf(MachineSpecException.class)
                .hasMessageContaining("no built-in machine \"huge\"");
    }

    @Test
    void loadFromFileWithOverrides(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, """
                {
                  "name": "test",
                  "features": ["APSC", "APXA", "QACT", "APSB"],
                  "maxAdapterId": 63, "maxDomainId": 15,
                  "resetLatencyMs": 2.5,
                  "adapters": [
                    {"id": "0x00-0x02", "model": "CEX7C", "serial": "93AABEET"},
                    {"id": 10, "model": "CEX8P", "rawType": 15, "functions": "0x86800000", "qd": 3, "ml": 8,
                     "configured": false, "checkstopped": true, "seBindState": 2,
                     "ep11": {"apiOrdinal": 6, "fwVersion": "7.15", "opModes": ["FIPS2021", "FIPS2009"]},
                     "mkvps": {"WK CUR": "valid 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff", "WK NEW": "committed 0x*"}}
                  ],
                  "usageDomains": [0, "3-5", "0x0f"],
                  "controlDomains": ["0x00-0x0f"]
                }""");
        MachineSpec m = MachineSpec.load(f);
        assertThat(m.name()).isEqualTo("test");
        assertThat(m.resetLatencyNanos()).isEqualTo(2_500_000L);
        assertThat(m.adapters()).hasSize(4);
        assertThat(m.adapters().get(2).serial()).isEqualTo("93AABEET");
        AdapterSpec p = m.adapters().get(3);
        assertThat(p.id()).isEqualTo(10);
        assertThat(p.rawType()).isEqualTo(15);
        assertThat(p.compatType()).isEqualTo(14);
        assertThat(p.functions()).isEqualTo(0x86800000);
        assertThat(p.qd()).isEqualTo(3);
        assertThat(p.ml()).isEqualTo(8);
        assertThat(p.configured()).isFalse();
        assertThat(p.checkstopped()).isTrue();
        assertThat(p.ep11().opModes()).containsExactly("FIPS2009", "FIPS2021");
        assertThat(p.ep11().fwMajor()).isEqualTo(7);
        assertThat(p.ep11().fwMinor()).isEqualTo(15);
        assertThat(m.usageDomains().ids()).containsExactly(0, 3, 4, 5, 15);
        assertThat(m.controlDomains().cardinality()).isEqualTo(16);

        ApHardware hw = new ApHardware(m, new org.apsysfs.kernel.ManualClock());
        TapqResult t = hw.tapq(Apqn.of(10, 3), true);
        assertThat(t.rc()).isEqualTo(ApRc.DECONFIGURED);
        assertThat(t.info().bindState()).isEqualTo(TapqInfo.BS_AVAIL_FOR_BINDING);
        assertThat(t.info().cardFunctions()).isEqualTo(0x86800000);
        assertThat(hw.mkvps(Apqn.of(10, 3)).get("WK NEW")).matches("committed 0x[0-9a-f]{64}");
        assertThat(hw.mkvps(Apqn.of(10, 3)).get("WK CUR")).isEqualTo("valid 0x" + "00ff".repeat(16));
    }

    @Test
    void missingFileIsReported(@TempDir Path dir) {
        assertThatThrownBy(() -> MachineSpec.load(dir.resolve("nope.json")))
                .isInstanceOf(MachineSpecException.class).hasMessageContaining("cannot read");
    }

    private static final String A = "{\"id\": 1, \"model\": \"CEX8C\"}";

    private static String machine(String adapters, String extra) {
        return "{\"features\": [\"APXA\"], \"maxAdapterId\": 255, \"maxDomainId\": 84, \"adapters\": [" + adapters
                + "], \"usageDomains\": [1]" + extra + "}";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // adapters JSON | extra root fields | expected message
        "`" + A + ", {\"id\": 2, \"model\": \"CEX9Z\"}, {\"id\": 3, \"model\": \"CEX8A\"}`|``|"
            + "adapters[1].model: unknown model \"CEX9Z\" (expected CEX4A..CEX8P)",
        "`" + A + ", {\"id\": 2}`|``|adapters[1].model: missing",
        "`{\"model\": \"CEX8C\"}`|``|adapters[0].id: missing",
        "`" + A + ", {\"id\": \"0x00-0x01\", \"model\": \"CEX8A\"}`|``|"
            + "adapters[1].id: adapter 0x01 is already defined by adapters[0]",
        "`{\"id\": 256, \"model\": \"CEX8C\"}`|``|adapters[0].id: adapter id 256 is outside 0..255",
        "`{\"id\": \"0x1g\", \"model\": \"CEX8C\"}`|``|adapters[0].id: \"0x1g\" is not an adapter id",
        "`{\"id\": \"9-3\", \"model\": \"CEX8C\"}`|``|adapters[0].id: range \"9-3\" ends before it starts",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"qd\": 16}`|``|adapters[0].qd: 16 is outside 0..15",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"colour\": 1}`|``|adapters[0].colour: unknown field",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"functions\": \"0x88000000\"}`|``|"
            + "adapters[0].functions: 0x88000000 does not have exactly the cca mode bit",
        "`{\"id\": 1, \"model\": \"CEX8A\", \"serial\": \"X\"}`|``|adapters[0].serial: accelerators have no serial",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"ep11\": {}}`|``|adapters[0].ep11: only EP11 adapters",
        "`{\"id\": 1, \"model\": \"CEX8P\", \"ep11\": {\"fwVersion\": \"7\"}}`|``|adapters[0].ep11.fwVersion: must look like",
        "`{\"id\": 1, \"model\": \"CEX8P\", \"ep11\": {\"opModes\": [\"FIPS1999\"]}}`|``|"
            + "adapters[0].ep11.opModes[0]: unknown EP11 mode \"FIPS1999\"",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"mkvps\": {\"WK CUR\": \"valid 0x1\"}}`|``|"
            + "adapters[0].mkvps.WK CUR: unknown register for a cca adapter",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"mkvps\": {\"ASYM NEW\": \"empty -\"}}`|``|"
            + "adapters[0].mkvps.ASYM NEW: must be what the kernel can print for this register",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"mkvps\": {\"AES CUR\": \"empty 0x0123456789abcdef\"}}`|``|"
            + "adapters[0].mkvps.AES CUR: must be what the kernel can print",
        "`{\"id\": 1, \"model\": \"CEX8P\", \"mkvps\": {\"WK CUR\": \"valid 0x00ff\"}}`|``|"
            + "adapters[0].mkvps.WK CUR: must be what the kernel can print",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"rawType\": \"x\"}`|``|adapters[0].rawType: \"x\" is not a number",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"compatType\": 9}`|``|adapters[0].compatType: must be 0 (not mappable) or 10..14",
        "`{\"id\": 1, \"model\": \"CEX8C\", \"configured\": \"yes\"}`|``|adapters[0].configured: must be true or false",
        "`" + A + "`|`, \"usageDomains\": [85]`|usageDomains[0]: domain id 85 (0x55) is above the maximum domain id 84",
        "`" + A + "`|`, \"controlDomains\": \"all\"`|controlDomains: must be an array",
        "`" + A + "`|`, \"resetLatencyMs\": -1`|resetLatencyMs: must be a number of milliseconds",
        "`" + A + "`|`, \"bogus\": 1`|bogus: unknown field",
    })
    void badFilesAreRefusedWithThePath(String adapters, String extra, String message) {
        String json = machine(adapters, extra.replace(", \"usageDomains\": [85]", ""));
        if (extra.contains("usageDomains")) {
            json = json.replace("\"usageDomains\": [1]", "\"usageDomains\": [85]");
        }
        String j = json;
        assertThatThrownBy(() -> MachineSpec.parse(j, "test.json")).isInstanceOf(MachineSpecException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void rootLevelProblems() {
        assertThatThrownBy(() -> MachineSpec.parse("[1]", "a.json")).hasMessage(
                "a.json: the machine file must be a JSON object");
        assertThatThrownBy(() -> MachineSpec.parse("{\"adapters\": [", "a.json"))
                .hasMessageStartingWith("a.json: not valid JSON");
        assertThatThrownBy(() -> MachineSpec.parse("{}", "a.json")).hasMessageStartingWith("adapters: missing");
        assertThatThrownBy(() -> MachineSpec.parse("{\"features\": [\"APXA\", \"FOO\"], \"adapters\": []}", "a"))
                .hasMessageStartingWith("features[1]: unknown feature \"FOO\"");
        assertThatThrownBy(() -> MachineSpec.parse("{\"features\": [\"APXA\", \"APXA\"], \"adapters\": []}", "a"))
                .hasMessageStartingWith("features[1]: feature APXA listed twice");
        assertThatThrownBy(() -> MachineSpec.parse("{\"maxAdapterId\": 100, \"adapters\": []}", "a"))
                .hasMessageStartingWith("maxAdapterId: above 63 needs the APXA feature");
        assertThatThrownBy(() -> MachineSpec.parse("{\"adapters\": [{\"id\": 64, \"model\": \"CEX8C\"}]}", "a"))
                .hasMessageStartingWith("adapters[0].id: adapter id 64 (0x40) is above the maximum adapter id 63");
        assertThatThrownBy(() -> MachineSpec.parse("{\"qci\": false, \"features\": [\"APSC\"], \"adapters\": []}", "a"))
                .hasMessageStartingWith("features: features need QCI");
    }
}
