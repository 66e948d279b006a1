package org.apsysfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KstrtoxTest {

    private static void assertErrno(Runnable r, Errno e) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(KernelException.class,
                k -> assertThat(k.errno()).isEqualTo(e));
    }

    // ---------------------------------------------------------------- P1 kstrtoul base 0

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5|5", "+5|5", "5\\n|5", "010|8", "0|0", "00|0", "0x41|65", "0X41|65", "0xff|255", "0xFF|255",
        "0x0|0", "255|255", "256|256", "+0x10\\n|16", "18446744073709551615|-1",
        "0xffffffffffffffff|-1", "01777777777777777777777|-1"})
    void kstrtoulAccepts(String in, long expected) {
        assertThat(Kstrtox.kstrtoul(in.replace("\\n", "\n"), 0)).isEqualTo(expected);
    }

    @Test
    void kstrtoulAcceptsTrailingNewline() {
        assertThat(Kstrtox.kstrtoul("5\n", 0)).isEqualTo(5);
        assertThat(Kstrtox.kstrtoul("0x1f\n", 0)).isEqualTo(31);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", " 5", "5 ", "\t5", "5\n\n", "5\n5", "-1", "-0", "08", "09", "0x", "0X",
        "0x\n", "0xg", "++5", "+", "+-5", "abc", "5a", "1.0", "0b1", "x5", " ", "5\r\n"})
    void kstrtoulRejectsWithEinval(String in) {
        assertErrno(() -> Kstrtox.kstrtoul(in, 0), Errno.EINVAL);
    }

    @Test
    void kstrtoulOverflowIsErange() {
        assertErrno(() -> Kstrtox.kstrtoul("18446744073709551616", 0), Errno.ERANGE); // 2^64
        assertErrno(() -> Kstrtox.kstrtoul("0x10000000000000000", 0), Errno.ERANGE);
        assertErrno(() -> Kstrtox.kstrtoul("99999999999999999999999", 0), Errno.ERANGE);
        // overflow is reported before trailing junk is looked at
        assertErrno(() -> Kstrtox.kstrtoul("18446744073709551616xyz", 0), Errno.ERANGE);
    }

    @Test
    void kstrtoulStopsAtNul() {
        assertThat(Kstrtox.kstrtoul("5\0junk", 0)).isEqualTo(5);
        assertThat(Kstrtox.kstrtoul("5\n\0junk", 0)).isEqualTo(5);
        assertErrno(() -> Kstrtox.kstrtoul("\0" + "5", 0), Errno.EINVAL);
    }

    @Test
    void kstrtoulFixedBases() {
        assertThat(Kstrtox.kstrtoul("0x1f", 16)).isEqualTo(31);
        assertThat(Kstrtox.kstrtoul("1f", 16)).isEqualTo(31);
        assertThat(Kstrtox.kstrtoul("010", 10)).isEqualTo(10);
        assertThat(Kstrtox.kstrtoul("17", 8)).isEqualTo(15);
        assertErrno(() -> Kstrtox.kstrtoul("0x10", 10), Errno.EINVAL);
    }

    @Test
    void kstrtouint() {
        assertThat(Kstrtox.kstrtouint("4294967295", 0)).isEqualTo(4294967295L);
        assertThat(Kstrtox.kstrtouint("0x10000\n", 0)).isEqualTo(0x10000L);
        assertErrno(() -> Kstrtox.kstrtouint("4294967296", 0), Errno.ERANGE);
        assertErrno(() -> Kstrtox.kstrtouint("-1", 0), Errno.EINVAL);
    }

    // ---------------------------------------------------------------- P2 sscanf %d / %i

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1|1", "0|0", "1abc|1", "-3|-3", "120\\n|120", "10 20|10", "010|10", "0x10|0",
        "4294967297|1", "2147483648|-2147483648", "-2147483649|2147483647", "00012|12"})
    void sscanfDecimal(String in, int expected) {
        assertThat(Kstrtox.sscanfInt(in.replace("\\n", "\n"), false)).isEqualTo(expected);
    }

    @Test
    void sscanfSkipsAllKernelWhitespace() {
        assertThat(Kstrtox.sscanfInt("\t\n\u000b\f\r 5", false)).isEqualTo(5);
        assertThat(Kstrtox.sscanfInt("  7", false)).isEqualTo(7);
        assertThat(Kstrtox.sscanfInt("\u00a05", false)).isEqualTo(5);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0x10|16", "010|8", "08|0", "0x|0", "-0x10|-16", "71|71", "0xff\\n|255", "0X1F|31", "0xffffffff|-1"})
    void sscanfAutoBase(String in, int expected) {
        assertThat(Kstrtox.sscanfInt(in.replace("\\n", "\n"), true)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n", "-", "- 1", "+1", "abc", "x1", "--1", "\0" + "1"})
    void sscanfRejects(String in) {
        assertErrno(() -> Kstrtox.sscanfInt(in, false), Errno.EINVAL);
        assertErrno(() -> Kstrtox.sscanfInt(in, true), Errno.EINVAL);
    }

    @Test
    void sscanfHexNeedsDecimalFirstDigit() {
        assertErrno(() -> Kstrtox.sscanfInt("ff", true), Errno.EINVAL);
        assertErrno(() -> Kstrtox.sscanfInt("x10", true), Errno.EINVAL);
    }

    // ---------------------------------------------------------------- P3 kstrtobool
    // kstrtobool in lib/kstrtox.c: first character EeYyTt1 true, DdNnFf0 false, [oO][nNfF].

    @ParameterizedTest
    @ValueSource(strings = {"1", "y", "Y", "t", "T", "yes", "true", "on", "ON", "oN", "On", "1\n", "10", "tx", "on!",
        "e", "E", "enable", "enabled\n", "Enable", "ex"})
    void kstrtoboolTrue(String in) {
        assertThat(Kstrtox.kstrtobool(in)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "n", "N", "f", "F", "no", "false", "off", "OFF", "of", "Of", "0\n", "01",
        "d", "D", "disable", "disabled\n", "Disable", "dx"})
    void kstrtoboolFalse(String in) {
        assertThat(Kstrtox.kstrtobool(in)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "o", "O", "o\n", "ok", " 1", "2", "-1", "x", "a", "\0" + "1", "\0" + "e"})
    void kstrtoboolRejects(String in) {
        assertErrno(() -> Kstrtox.kstrtobool(in), Errno.EINVAL);
    }

    // ---------------------------------------------------------------- simple_strtoul

    @Test
    void simpleStrtoul() {
        assertThat(Kstrtox.simpleStrtoul("0x41,", 0, 0)).isEqualTo(new Kstrtox.Strtoul(65, 4));
        assertThat(Kstrtox.simpleStrtoul("+12-3", 1, 0)).isEqualTo(new Kstrtox.Strtoul(12, 3));
        assertThat(Kstrtox.simpleStrtoul("08", 0, 0)).isEqualTo(new Kstrtox.Strtoul(0, 1));
        assertThat(Kstrtox.simpleStrtoul("0x", 0, 0)).isEqualTo(new Kstrtox.Strtoul(0, 1));
        assertThat(Kstrtox.simpleStrtoul("abc", 0, 0)).isEqualTo(new Kstrtox.Strtoul(0, 0));
        assertThat(Kstrtox.simpleStrtoul(" 5", 0, 0).end()).isZero();
        // wraps modulo 2^64
        assertThat(Kstrtox.simpleStrtoul("18446744073709551617", 0, 0).value()).isEqualTo(1);
    }

    @Test
    void cString() {
        assertThat(Kstrtox.cString("ab\0cd")).isEqualTo("ab");
        assertThat(Kstrtox.cString("abc")).isEqualTo("abc");
    }
}
