package org.apsysfs.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApMaskTest {

    @Test
    void bitZeroIsLeftmost() {
        assertThat(ApMask.of(0).format()).isEqualTo("0x8" + "0".repeat(63));
        assertThat(ApMask.of(255).format()).isEqualTo("0x" + "0".repeat(63) + "1");
        assertThat(ApMask.of(1, 7).format()).isEqualTo("0x41" + "0".repeat(62));
        assertThat(ApMask.of(5).format()).isEqualTo("0x04" + "0".repeat(62));
        assertThat(ApMask.of(64).format()).isEqualTo("0x" + "0".repeat(16) + "8" + "0".repeat(47));
    }

    @Test
    void specWorkedExampleDomains() {
        // MSB-first bit numbering (ap_bus.h test_bit_inv): AQM {4, 0xab} -> 0x0800...001000...
        assertThat(ApMask.of(4, 0xab).format()).isEqualTo(
                "0x0800000000000000000000000000000000000000001000000000000000000000");
    }

    @Test
    void formatIsAlways66Chars() {
        assertThat(ApMask.empty().format()).isEqualTo("0x" + "0".repeat(64));
        assertThat(ApMask.full().format()).isEqualTo("0x" + "f".repeat(64));
        assertThat(ApMask.of(3, 100, 200).format()).hasSize(66);
    }

    @Test
    void rangeAndIteration() {
        ApMask r = ApMask.range(60, 130);
        assertThat(r.cardinality()).isEqualTo(71);
        assertThat(r.nextSetBit(0)).isEqualTo(60);
        assertThat(r.nextSetBit(100)).isEqualTo(100);
        assertThat(r.nextSetBit(131)).isEqualTo(-1);
        assertThat(r.lastSetBit()).isEqualTo(130);
        assertThat(ApMask.range(0, 255)).isEqualTo(ApMask.full());
        assertThat(ApMask.range(5, 4).isEmpty()).isTrue();
        assertThat(ApMask.range(63, 64).ids()).containsExactly(63, 64);
        assertThat(ApMask.of(200, 3, 64, 63).ids()).containsExactly(3, 63, 64, 200);
        assertThat(ApMask.of(200, 3).stream().boxed()).containsExactly(3, 200);
        assertThat(ApMask.empty().nextSetBit(0)).isEqualTo(-1);
        assertThat(ApMask.empty().lastSetBit()).isEqualTo(-1);
    }

    @Test
    void setOperations() {
        ApMask a = ApMask.of(1, 2, 3);
        ApMask b = ApMask.of(3, 4);
        assertThat(a.and(b)).isEqualTo(ApMask.of(3));
        assertThat(a.or(b)).isEqualTo(ApMask.of(1, 2, 3, 4));
        assertThat(a.andNot(b)).isEqualTo(ApMask.of(1, 2));
        assertThat(a.intersects(b)).isTrue();
        assertThat(a.intersects(ApMask.of(200))).isFalse();
        assertThat(a.with(200).test(200)).isTrue();
        assertThat(a.without(2)).isEqualTo(ApMask.of(1, 3));
        assertThat(a.test(2)).isTrue();
        assertThat(a.test(256)).isFalse();
        assertThat(a.test(-1)).isFalse();
        assertThat(a.containsAll(ApMask.of(1, 3))).isTrue();
        assertThat(a.containsAll(b)).isFalse();
        assertThat(ApMask.full().isFull()).isTrue();
        assertThat(ApMask.full().cardinality()).isEqualTo(256);
    }

    @Test
    void immutable() {
        ApMask a = ApMask.of(1);
        a.with(2);
        a.or(ApMask.full());
        assertThat(a).isEqualTo(ApMask.of(1));
        assertThat(a.hashCode()).isEqualTo(ApMask.of(1).hashCode());
        assertThat(a.toString()).isEqualTo(a.format());
    }

    @Test
    void rejectsOutOfRangeIds() {
        assertThatThrownBy(() -> ApMask.of(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApMask.empty().with(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
