package org.apsysfs.bus;

import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;

/**
 * The AP bus mask string parsers, with the kernel's exact acceptance rules
 * (drivers/s390/crypto/ap_bus.c: ap_parse_mask_str / ap_hex2bitmap / modify_bitmap).
 *
 * <p>Pure functions: they never modify their inputs ({@link ApMask} is immutable) and on any error
 * throw {@code KernelException} with {@link Errno#EINVAL}, so the caller's mask stays unchanged.
 * Inputs are raw bytes decoded ISO-8859-1; parsing stops at the first NUL byte.
 */
public final class ApMaskParser {
    /** Bytes of an {@code ap_config} write that are looked at (AP_CONFIG_STRLEN). */
    public static final int AP_CONFIG_STRLEN = 201;

    private ApMaskParser() {
    }

    /** The three masks of an {@code ap_config} write. */
    public record ApConfigMasks(ApMask apm, ApMask aqm, ApMask adm) {
    }

    /**
     * P4, {@code ap_parse_mask_str}: the mask that results from writing {@code buf} to
     * {@code apmask}/{@code aqmask} (and the zcdn masks) when the current value is
     * {@code current}.
     *
     * <p>If the first character is {@code +} or {@code -}, a relative edit of {@code current}:
     * terms {@code +N}, {@code -N}, {@code +A-B}, {@code -A-B}, each with its own sign, numbers in
     * C {@code strtoul(.., 0)} syntax (wrapping modulo 2^64), each {@code < 256}, {@code A <= B};
     * any run of {@code ,} and {@code \n} may follow a term. Otherwise an absolute hex value, see
     * {@link #hex2bitmap(String)}.
     */
    public static ApMask parse(String buf, ApMask current) {
        char c = at(buf, 0);
        if (c == '+' || c == '-') {
            return modify(buf, current);
        }
        return hex2bitmap(buf);
    }

    /**
     * P5, {@code ap_hex2bitmap}: an absolute hex mask, left-aligned (the first digit gives IDs
     * 0..3), zero-padded on the right.
     *
     * <p>An optional prefix: {@code 0x} (lowercase x only), then independently an {@code x}; so
     * {@code 0x41}, {@code x41}, {@code 41} are equal while {@code 0X41} is invalid. Then up to 64
     * hex digits (either case), then optionally one {@code \n}, then the end. Empty (or only a
     * prefix) means all zeros. A 65th digit or any other character gives EINVAL.
     */
    public static ApMask hex2bitmap(String buf) {
        int p = 0;
        if (at(buf, 0) == '0' && at(buf, 1) == 'x') {
            p++;
        }
        if (at(buf, p) == 'x') {
            p++;
        }
        long[] w = new long[4];
        int i = 0;
        while (i < ApMask.SIZE && Kstrtox.isXDigit(at(buf, p))) {
            long nibble = Kstrtox.hexToBin(at(buf, p));
            w[i >>> 6] |= nibble << (60 - (i & 63));
            i += 4;
            p++;
        }
        if (at(buf, p) == '\n') {
            p++;
        }
        if (at(buf, p) != 0) {
            throw KernelException.bare(Errno.EINVAL);
        }
        return ApMask.ofWords(w[0], w[1], w[2], w[3]);
    }

    /**
     * The parse step of the vfio_ap {@code ap_config} write: the input is cut to
     * {@link #AP_CONFIG_STRLEN} bytes (and at a NUL), then split like {@code strsep(",\n")} into
     * tokens; the first three are parsed with {@link #hex2bitmap(String)} (an empty token is all
     * zeros) and anything after the third token is ignored. Fewer than three tokens, or an
     * invalid one, gives EINVAL. The range check against the mdev's max IDs is the caller's.
     */
    public static ApConfigMasks parseApConfig(String buf) {
        String s = Kstrtox.cString(buf);
        if (s.length() > AP_CONFIG_STRLEN) {
            s = s.substring(0, AP_CONFIG_STRLEN);
        }
        ApMask[] m = new ApMask[3];
        int pos = 0;
        for (int k = 0; k < 3; k++) {
            if (pos < 0) {
                // strsep() returned NULL: the previous token ran to the end of the string
                throw KernelException.bare(Errno.EINVAL);
            }
            int end = pos;
            while (end < s.length() && s.charAt(end) != ',' && s.charAt(end) != '\n') {
                end++;
            }
            m[k] = hex2bitmap(s.substring(pos, end));
            pos = end < s.length() ? end + 1 : -1;
        }
        return new ApConfigMasks(m[0], m[1], m[2]);
    }

    private static ApMask modify(String buf, ApMask current) {
        long[] w = {current.word(0), current.word(1), current.word(2), current.word(3)};
        int p = 0;
        while (at(buf, p) != 0) {
            char sign = at(buf, p++);
            if (sign != '+' && sign != '-') {
                throw KernelException.bare(Errno.EINVAL);
            }
            Kstrtox.Strtoul a = Kstrtox.simpleStrtoul(buf, p, 0);
            if (a.end() == p || Long.compareUnsigned(a.value(), ApMask.SIZE) >= 0) {
                throw KernelException.bare(Errno.EINVAL);
            }
            p = a.end();
            long z = a.value();
            if (at(buf, p) == '-') {
                p++;
                Kstrtox.Strtoul b = Kstrtox.simpleStrtoul(buf, p, 0);
                if (b.end() == p || Long.compareUnsigned(a.value(), b.value()) > 0
                        || Long.compareUnsigned(b.value(), ApMask.SIZE) >= 0) {
                    throw KernelException.bare(Errno.EINVAL);
                }
                p = b.end();
                z = b.value();
            }
            for (int id = (int) a.value(); id <= (int) z; id++) {
                long bit = 1L << (63 - (id & 63));
                if (sign == '+') {
                    w[id >>> 6] |= bit;
                } else {
                    w[id >>> 6] &= ~bit;
                }
            }
            while (at(buf, p) == ',' || at(buf, p) == '\n') {
                p++;
            }
        }
        return ApMask.ofWords(w[0], w[1], w[2], w[3]);
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }
}
