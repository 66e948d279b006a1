package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.KernelException;

class ApMaskParserProperties {

    @Provide
    Arbitrary<ApMask> masks() {
        Arbitrary<Long> w = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L),
                Arbitraries.longs().map(x -> x & 0x8000_0000_0000_0001L));
        return Combinators.combine(w, w, w, w).as(ApMask::ofWords);
    }

    @Property
    void formatParsesBack(@ForAll("masks") ApMask m, @ForAll("masks") ApMask current) {
        assertThat(ApMaskParser.parse(m.format(), current)).isEqualTo(m);
        assertThat(ApMaskParser.parse(m.format() + "\n", current)).isEqualTo(m);
        assertThat(ApMaskParser.hex2bitmap(m.format())).isEqualTo(m);
    }

    @Property
    void relativeEditsCompose(@ForAll("masks") ApMask current, @ForAll @IntRange(max = 255) int a,
                              @ForAll @IntRange(max = 255) int b) {
        ApMask twoWrites = ApMaskParser.parse("-" + b, ApMaskParser.parse("+" + a, current));
        ApMask oneWrite = ApMaskParser.parse("+" + a + ",-" + b, current);
        assertThat(oneWrite).isEqualTo(twoWrites);
        assertThat(oneWrite.test(b)).isFalse();
        assertThat(oneWrite.test(a)).isEqualTo(a != b);
    }

    @Property
    void rangeEditsEqualSingleEdits(@ForAll("masks") ApMask current, @ForAll @IntRange(max = 255) int x,
                                    @ForAll @IntRange(max = 255) int y) {
        int lo = Math.min(x, y);
        int hi = Math.max(x, y);
        ApMask viaRange = ApMaskParser.parse(String.format("-0x%x-%d", lo, hi), current);
        assertThat(viaRange).isEqualTo(current.andNot(ApMask.range(lo, hi)));
        ApMask set = ApMaskParser.parse("+" + lo + "-0" + Integer.toOctalString(hi), current);
        assertThat(set).isEqualTo(current.or(ApMask.range(lo, hi)));
    }

    @Property
    void shortAbsoluteHexIsLeftAligned(@ForAll @StringLength(min = 1, max = 64) String digitsSeed) {
        StringBuilder hex = new StringBuilder();
        for (char c : digitsSeed.toCharArray()) {
            hex.append("0123456789abcdef".charAt(c & 15));
        }
        ApMask m = ApMaskParser.parse("0x" + hex, ApMask.full());
        String padded = hex + "0".repeat(64 - hex.length());
        assertThat(m.format()).isEqualTo("0x" + padded);
    }

    @Property(tries = 2000)
    void parserIsPureAndRejectsAtomically(@ForAll("masks") ApMask current, @ForAll String junk) {
        String before = current.format();
        try {
            ApMask r = ApMaskParser.parse(junk, current);
            assertThat(r).isNotNull();
        } catch (KernelException e) {
            // rejected: nothing else to observe but the unchanged input
        }
        assertThat(current.format()).isEqualTo(before);
    }

    @Property
    void blanksAreAlwaysRejected(@ForAll("masks") ApMask m, @ForAll @IntRange(max = 65) int pos) {
        String text = m.format();
        String withBlank = text.substring(0, pos) + " " + text.substring(pos);
        boolean rejected;
        try {
            ApMaskParser.parse(withBlank, m);
            rejected = false;
        } catch (KernelException e) {
            rejected = true;
        }
        assertThat(rejected).isTrue();
    }
}
