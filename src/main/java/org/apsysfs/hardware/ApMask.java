package org.apsysfs.hardware;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * An immutable 256-bit AP mask (adapters, usage domains or control domains).
 *
 * <p>Bit numbering is MSB-first, as everywhere in the AP architecture: ID 0 is the leftmost bit
 * of the first hex digit of {@link #format()}, ID 255 the rightmost bit of the last. Internally
 * word {@code w} holds IDs {@code 64w .. 64w+63}, ID {@code 64w + k} at bit position
 * {@code 63 - k}; so each word printed with {@code %016x} gives the sysfs text directly.
 *
 * <p>All operations are allocation-light and O(1) in the number of words (4).
 */
public final class ApMask {
    /** Number of IDs a mask can hold (AP_DEVICES = AP_DOMAINS = 256). */
    public static final int SIZE = 256;

    private static final ApMask EMPTY = new ApMask(new long[4]);
    private static final ApMask FULL = new ApMask(new long[] {-1L, -1L, -1L, -1L});
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final long[] w;

    private ApMask(long[] words) {
        this.w = words;
    }

    /** The mask with no ID set. */
    public static ApMask empty() {
        return EMPTY;
    }

    /** The mask with all 256 IDs set. */
    public static ApMask full() {
        return FULL;
    }

    /** A mask with exactly the given IDs set (each 0..255). */
    public static ApMask of(int... ids) {
        long[] n = new long[4];
        for (int id : ids) {
            check(id);
            n[id >>> 6] |= bit(id);
        }
        return new ApMask(n);
    }

    /** A mask with IDs {@code from..to} (both inclusive) set; empty if {@code from > to}. */
    public static ApMask range(int from, int to) {
        check(from);
        check(to);
        long[] n = new long[4];
        for (int i = 0; i < 4; i++) {
            int lo = Math.max(from, i * 64);
            int hi = Math.min(to, i * 64 + 63);
            if (lo > hi) {
                continue;
            }
            int a = lo & 63;
            int b = hi & 63;
            // positions 63-a down to 63-b
            long m = (-1L >>> a) & (-1L << (63 - b));
            n[i] = m;
        }
        return new ApMask(n);
    }

    /**
     * A mask from four 64-bit words, word 0 first (IDs 0..63, ID 0 in the most significant bit).
     */
    public static ApMask ofWords(long w0, long w1, long w2, long w3) {
        return new ApMask(new long[] {w0, w1, w2, w3});
    }

    /** Word {@code i} (0..3) in the layout described at class level. */
    public long word(int i) {
        return w[i];
    }

    public boolean test(int id) {
        if (id < 0 || id >= SIZE) {
            return false;
        }
        return (w[id >>> 6] & bit(id)) != 0;
    }

    public ApMask with(int id) {
        check(id);
        if (test(id)) {
            return this;
        }
        long[] n = w.clone();
        n[id >>> 6] |= bit(id);
        return new ApMask(n);
    }

    public ApMask without(int id) {
        check(id);
        if (!test(id)) {
            return this;
        }
        long[] n = w.clone();
        n[id >>> 6] &= ~bit(id);
        return new ApMask(n);
    }

    /** A copy with {@code id} set or cleared. */
    public ApMask with(int id, boolean set) {
        return set ? with(id) : without(id);
    }

    public ApMask and(ApMask o) {
        return new ApMask(new long[] {w[0] & o.w[0], w[1] & o.w[1], w[2] & o.w[2], w[3] & o.w[3]});
    }

    public ApMask or(ApMask o) {
        return new ApMask(new long[] {w[0] | o.w[0], w[1] | o.w[1], w[2] | o.w[2], w[3] | o.w[3]});
    }

    /** {@code this & ~o}: the IDs set here but not in {@code o}. */
    public ApMask andNot(ApMask o) {
        return new ApMask(new long[] {w[0] & ~o.w[0], w[1] & ~o.w[1], w[2] & ~o.w[2], w[3] & ~o.w[3]});
    }

    public boolean intersects(ApMask o) {
        return (w[0] & o.w[0]) != 0 || (w[1] & o.w[1]) != 0 || (w[2] & o.w[2]) != 0 || (w[3] & o.w[3]) != 0;
    }

    /** True if every ID set in {@code o} is also set here. */
    public boolean containsAll(ApMask o) {
        return (o.w[0] & ~w[0]) == 0 && (o.w[1] & ~w[1]) == 0 && (o.w[2] & ~w[2]) == 0 && (o.w[3] & ~w[3]) == 0;
    }

    public boolean isEmpty() {
        return (w[0] | w[1] | w[2] | w[3]) == 0;
    }

    public boolean isFull() {
        return (w[0] & w[1] & w[2] & w[3]) == -1L;
    }

    public int cardinality() {
        return Long.bitCount(w[0]) + Long.bitCount(w[1]) + Long.bitCount(w[2]) + Long.bitCount(w[3]);
    }

    /** The smallest set ID {@code >= from}, or -1 if there is none. */
    public int nextSetBit(int from) {
        if (from < 0) {
            from = 0;
        }
        if (from >= SIZE) {
            return -1;
        }
        int i = from >>> 6;
        long m = w[i] & (-1L >>> (from & 63));
        while (true) {
            if (m != 0) {
                return i * 64 + Long.numberOfLeadingZeros(m);
            }
            if (++i == 4) {
                return -1;
            }
            m = w[i];
        }
    }

    /** The largest set ID, or -1 if the mask is empty. */
    public int lastSetBit() {
        for (int i = 3; i >= 0; i--) {
            if (w[i] != 0) {
                return i * 64 + 63 - Long.numberOfTrailingZeros(w[i]);
            }
        }
        return -1;
    }

    /** The set IDs in ascending order. */
    public int[] ids() {
        int[] out = new int[cardinality()];
        int n = 0;
        for (int id = nextSetBit(0); id >= 0; id = nextSetBit(id + 1)) {
            out[n++] = id;
        }
        return out;
    }

    /**
     * The set IDs as ascending runs, each written with {@code fmt} ("0x%04x" gives "0x0004")
     * or, for a run of several, "FROM-TO" ("0x0010-0x001f"): the ID lists of machine and
     * state files.
     */
    public java.util.List<String> ranges(String fmt) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int[] ids = ids();
        for (int i = 0; i < ids.length;) {
            int j = i;
            while (j + 1 < ids.length && ids[j + 1] == ids[j] + 1) {
                j++;
            }
            out.add(i == j ? String.format(fmt, ids[i]) : String.format(fmt + "-" + fmt, ids[i], ids[j]));
            i = j + 1;
        }
        return out;
    }

    /** The set IDs in ascending order. */
    public IntStream stream() {
        return IntStream.of(ids());
    }

    /** {@code "0x"} followed by 64 lowercase hex digits (the sysfs mask format, no newline). */
    public String format() {
        char[] c = new char[66];
        c[0] = '0';
        c[1] = 'x';
        int p = 2;
        for (long word : w) {
            for (int s = 60; s >= 0; s -= 4) {
                c[p++] = HEX[(int) (word >>> s) & 0xf];
            }
        }
        return new String(c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApMask m && Arrays.equals(w, m.w);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(w);
    }

    /** The {@link #format()} text. */
    @Override
    public String toString() {
        return format();
    }

    private static long bit(int id) {
        return 1L << (63 - (id & 63));
    }

    private static void check(int id) {
        if (id < 0 || id >= SIZE) {
            throw new IllegalArgumentException("AP id out of range 0..255: " + id);
        }
    }
}
