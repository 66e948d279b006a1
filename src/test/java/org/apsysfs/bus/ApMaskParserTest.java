package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApMaskParserTest {
    private static final ApMask CUR = ApMask.of(0, 5, 100);

    private static void einval(String in) {
        assertThatThrownBy(() -> ApMaskParser.parse(in, CUR)).isInstanceOfSatisfying(KernelException.class,
                k -> assertThat(k.errno()).isEqualTo(Errno.EINVAL));
    }

    // ---------------------------------------------------------------- absolute

    @Test
    void shortHexIsLeftAligned() {
        assertThat(ApMaskParser.parse("0x41", CUR)).isEqualTo(ApMask.of(1, 7));
        assertThat(ApMaskParser.parse("0x8", CUR)).isEqualTo(ApMask.of(0));
        assertThat(ApMaskParser.parse("0x0001", CUR)).isEqualTo(ApMask.of(15));
    }

    @Test
    void prefixVariants() {
        assertThat(ApMaskParser.parse("41", CUR)).isEqualTo(ApMask.of(1, 7));
        assertThat(ApMaskParser.parse("x41", CUR)).isEqualTo(ApMask.of(1, 7));
        assertThat(ApMaskParser.parse("ff", CUR)).isEqualTo(ApMask.range(0, 7));
        assertThat(ApMaskParser.parse("0xFF", CUR)).isEqualTo(ApMask.range(0, 7));
        assertThat(ApMaskParser.parse("0xAbC", CUR)).isEqualTo(ApMask.of(0, 2, 4, 6, 7, 8, 9));
    }

    @Test
    void emptyAndBarePrefixClear() {
        assertThat(ApMaskParser.parse("", CUR)).isEqualTo(ApMask.empty());
        assertThat(ApMaskParser.parse("\n", CUR)).isEqualTo(ApMask.empty());
        assertThat(ApMaskParser.parse("0x", CUR)).isEqualTo(ApMask.empty());
        assertThat(ApMaskParser.parse("0x\n", CUR)).isEqualTo(ApMask.empty());
        assertThat(ApMaskParser.parse("x", CUR)).isEqualTo(ApMask.empty());
    }

    @Test
    void fullWidthAndNewline() {
        String full = "0x" + "f".repeat(64);
        assertThat(ApMaskParser.parse(full, CUR)).isEqualTo(ApMask.full());
        assertThat(ApMaskParser.parse(full + "\n", CUR)).isEqualTo(ApMask.full());
        assertThat(ApMaskParser.parse("f".repeat(64), CUR)).isEqualTo(ApMask.full());
        einval(full + "0");
        einval(full + "\n\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0X41", " 0x41", "0x41 ", "0x4\n1", "0x41\n\n", "0xg", "0x41,", "00x41", "xx41", "0xx41",
        "0x41\r\n", "41h", "\t41", "*", "0x-1", "=1"})
    void absoluteRejects(String in) {
        einval(in);
    }

    @Test
    void stopsAtNul() {
        assertThat(ApMaskParser.parse("0x41\0zz", CUR)).isEqualTo(ApMask.of(1, 7));
        assertThat(ApMaskParser.parse("+3\0,+4", CUR)).isEqualTo(CUR.with(3));
    }

    // ---------------------------------------------------------------- relative

    @Test
    void relativeEditsStartFromCurrent() {
        assertThat(ApMaskParser.parse("+3", CUR)).isEqualTo(ApMask.of(0, 3, 5, 100));
        assertThat(ApMaskParser.parse("-5", CUR)).isEqualTo(ApMask.of(0, 100));
        assertThat(ApMaskParser.parse("-5,-6", ApMask.full())).isEqualTo(ApMask.full().without(5).without(6));
        assertThat(ApMaskParser.parse("+0-15,+32,-128,-0xff", ApMask.of(128, 255, 200)))
                .isEqualTo(ApMask.range(0, 15).with(32).with(200));
    }

    @Test
    void relativeNumbersAreBaseAuto() {
        assertThat(ApMaskParser.parse("+0x41", ApMask.empty())).isEqualTo(ApMask.of(65));
        assertThat(ApMaskParser.parse("+010", ApMask.empty())).isEqualTo(ApMask.of(8));
        assertThat(ApMaskParser.parse("+0X10", ApMask.empty())).isEqualTo(ApMask.of(16));
        assertThat(ApMaskParser.parse("+0xff", ApMask.empty())).isEqualTo(ApMask.of(255));
    }

    @Test
    void laterTermsWin() {
        assertThat(ApMaskParser.parse("+0-255,-128", ApMask.empty())).isEqualTo(ApMask.full().without(128));
        assertThat(ApMaskParser.parse("-7,+7", ApMask.empty())).isEqualTo(ApMask.of(7));
    }

    @Test
    void separatorsCommaAndNewline() {
        assertThat(ApMaskParser.parse("+1\n+2", ApMask.empty())).isEqualTo(ApMask.of(1, 2));
        assertThat(ApMaskParser.parse("+1,,\n,+2,\n", ApMask.empty())).isEqualTo(ApMask.of(1, 2));
        assertThat(ApMaskParser.parse("+1\n", ApMask.empty())).isEqualTo(ApMask.of(1));
    }

    @Test
    void rangeEndpoints() {
        assertThat(ApMaskParser.parse("+3-3", ApMask.empty())).isEqualTo(ApMask.of(3));
        assertThat(ApMaskParser.parse("+250-0xff", ApMask.empty())).isEqualTo(ApMask.range(250, 255));
        assertThat(ApMaskParser.parse("-0-255", CUR)).isEqualTo(ApMask.empty());
    }

    @Test
    void hugeNumbersWrapModulo2To64() {
        // simple_strtoul wraps silently: 2^64 + 1 == 1
        assertThat(ApMaskParser.parse("+18446744073709551617", ApMask.empty())).isEqualTo(ApMask.of(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+256", "-256", "+0x100", "+5-3", "+3-256", "+1,2", "+1,-", "+", "-", "+-1",
        "++1", "+1 ", "+ 1", "+1, +2", "+1-", "+1-x", "+08", "+0x", "+a", "+1;+2", "-1,0x41",
        "+18446744073709551615", "+1\r"})
    void relativeRejects(String in) {
        einval(in);
    }

    @Test
    void failedParseAppliesNothing() {
        // the first term is valid but the write as a whole fails; CUR is immutable anyway
        einval("+3,+999");
        assertThat(CUR).isEqualTo(ApMask.of(0, 5, 100));
    }

    // ---------------------------------------------------------------- P5 hex2bitmap / ap_config

    @Test
    void hex2bitmapHasNoRelativeForm() {
        assertThatThrownBy(() -> ApMaskParser.hex2bitmap("+1")).isInstanceOf(KernelException.class);
        assertThat(ApMaskParser.hex2bitmap("0x04")).isEqualTo(ApMask.of(5));
        assertThat(ApMaskParser.hex2bitmap("")).isEqualTo(ApMask.empty());
    }

    @Test
    void apConfigRoundTripsItsOwnOutput() {
        ApMask apm = ApMask.of(5);
        ApMask aqm = ApMask.of(4, 0xab);
        ApMask adm = ApMask.of(1);
        String text = apm.format() + "," + aqm.format() + "," + adm.format() + "\n";
        assertThat(text).hasSize(201);
        ApMaskParser.ApConfigMasks m = ApMaskParser.parseApConfig(text);
        assertThat(m.apm()).isEqualTo(apm);
        assertThat(m.aqm()).isEqualTo(aqm);
        assertThat(m.adm()).isEqualTo(adm);
    }

    @Test
    void apConfigTokens() {
        ApMaskParser.ApConfigMasks m = ApMaskParser.parseApConfig(",,");
        assertThat(m.apm().isEmpty() && m.aqm().isEmpty() && m.adm().isEmpty()).isTrue();
        m = ApMaskParser.parseApConfig("0x8\n0x4,0x2,ignored junk");
        assertThat(m.apm()).isEqualTo(ApMask.of(0));
        assertThat(m.aqm()).isEqualTo(ApMask.of(1));
        assertThat(m.adm()).isEqualTo(ApMask.of(2));
        assertThatThrownBy(() -> ApMaskParser.parseApConfig("0x8,0x4")).isInstanceOf(KernelException.class);
        assertThatThrownBy(() -> ApMaskParser.parseApConfig("")).isInstanceOf(KernelException.class);
        assertThatThrownBy(() -> ApMaskParser.parseApConfig("0x8,zz,0x1")).isInstanceOf(KernelException.class);
        assertThatThrownBy(() -> ApMaskParser.parseApConfig("0x8,0x1,0x1 ")).isInstanceOf(KernelException.class);
    }

    @Test
    void apConfigTokenWithTooManyDigits() {
        String m = "0x" + "0".repeat(64);
        String tooLong = "0x" + "0".repeat(65) + "," + m + "," + "0x1";
        assertThatThrownBy(() -> ApMaskParser.parseApConfig(tooLong)).isInstanceOf(KernelException.class);
        assertThat(ApMaskParser.parseApConfig(m + "," + m + "," + m + "\njunk").adm()).isEqualTo(ApMask.empty());
    }
}
