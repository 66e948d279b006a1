package org.apsysfs.kernel;

/**
 * The kernel's number and boolean parsers, with their exact acceptance rules
 * (lib/kstrtox.c and the integer part of vsscanf in lib/vsprintf.c).
 *
 * <p>Inputs are the raw bytes of a sysfs write decoded as ISO-8859-1 (one char per byte). Like
 * the kernel, which sees a NUL-terminated copy of the buffer, every parser stops at the first
 * NUL byte: {@code "5\0junk"} parses like {@code "5"}.
 *
 * <p>Character classes are the kernel's (lib/ctype.c): {@code isspace} is blank, \t, \n, \v, \f,
 * \r and 0xA0; {@code isdigit}/{@code isxdigit} are ASCII only.
 */
public final class Kstrtox {
    private Kstrtox() {
    }

    /** Result of {@link #simpleStrtoul}: the value and the index just past the last digit used. */
    public record Strtoul(long value, int end) {
    }

    /**
     * {@code kstrtoul(buf, base, &res)} on a 64-bit kernel (same as kstrtoull).
     *
     * <p>Optional single leading {@code +}; base 0 picks hex for {@code 0x}/{@code 0X} followed by
     * a hex digit, octal for a leading {@code 0}, else decimal; base 16 also skips a {@code 0x}
     * prefix. At least one digit, then optionally one {@code \n}, then the end of the string.
     *
     * @param base 0 (auto) or 2..16
     * @return the value as an unsigned 64-bit number in a {@code long}
     * @throws KernelException EINVAL for malformed input, ERANGE when the value needs more than
     *     64 bits (checked before trailing junk, as the kernel does)
     */
    public static long kstrtoul(String buf, int base) {
        checkBase(base);
        int p = 0;
        if (at(buf, 0) == '+') {
            p = 1;
        }
        int[] b = {base};
        p = fixupRadix(buf, p, b);
        long res = 0;
        boolean overflow = false;
        int digits = 0;
        while (true) {
            int v = digitValue(at(buf, p));
            if (v < 0 || v >= b[0]) {
                break;
            }
            if ((res & (-1L << 60)) != 0
                    && Long.compareUnsigned(res, Long.divideUnsigned(-1L - v, b[0])) > 0) {
                overflow = true;
            }
            res = res * b[0] + v;
            digits++;
            p++;
        }
        if (overflow) {
            throw KernelException.bare(Errno.ERANGE);
        }
        if (digits == 0) {
            throw KernelException.bare(Errno.EINVAL);
        }
        if (at(buf, p) == '\n') {
            p++;
        }
        if (at(buf, p) != 0) {
            throw KernelException.bare(Errno.EINVAL);
        }
        return res;
    }

    /** Alias of {@link #kstrtoul} (unsigned long long is 64 bits on s390x as well). */
    public static long kstrtoull(String buf, int base) {
        return kstrtoul(buf, base);
    }

    /**
     * {@code kstrtouint}: as {@link #kstrtoul}, then ERANGE if the value does not fit 32 bits.
     *
     * @return the value, 0..4294967295
     */
    public static long kstrtouint(String buf, int base) {
        long v = kstrtoul(buf, base);
        if ((v >>> 32) != 0) {
            throw KernelException.bare(Errno.ERANGE);
        }
        return v;
    }

    /**
     * {@code sscanf(buf, "%d\n", &int)} ({@code autoBase == false}) or {@code "%i\n"}
     * ({@code autoBase == true}), returning the converted int or throwing EINVAL when sscanf
     * would return 0 (the store functions all treat {@code != 1} as -EINVAL).
     *
     * <p>Leading white space is skipped; an optional {@code -} (a {@code +} is <em>not</em>
     * accepted by the kernel's vsscanf); then at least one decimal digit must follow (for
     * {@code %i} too: its first character must be a decimal digit, after which {@code 0x}/{@code 0}
     * select hex/octal). Anything after the number is ignored. Overflow is silent, exactly as in
     * the kernel: the digits are accumulated modulo 2^64, negated for {@code -}, and the low 32
     * bits are stored in the int ({@code "4294967297"} reads as 1, {@code "2147483648"} as
     * -2147483648).
     */
    public static int sscanfInt(String buf, boolean autoBase) {
        int p = 0;
        if (at(buf, 0) == 0) {
            throw KernelException.bare(Errno.EINVAL);
        }
        while (isSpace(at(buf, p))) {
            p++;
        }
        char digit = at(buf, p);
        if (digit == '-') {
            digit = at(buf, p + 1);
        }
        if (digit < '0' || digit > '9') {
            throw KernelException.bare(Errno.EINVAL);
        }
        boolean neg = false;
        if (at(buf, p) == '-') {
            neg = true;
            p++;
        }
        Strtoul r = simpleStrtoul(buf, p, autoBase ? 0 : 10);
        long v = neg ? -r.value() : r.value();
        return (int) v;
    }

    /**
     * {@code kstrtobool} (lib/kstrtox.c, newest): first character {@code e E y Y t T 1} → true
     * ("enabled", "yes", "true"), {@code d D n N f F 0} → false ("disabled", "no", "false");
     * {@code o}/{@code O} followed by {@code n}/{@code N} → true, by {@code f}/{@code F} → false.
     * Everything after the deciding characters is ignored (no length check: {@code "yak"} is
     * true, {@code "enable\n"} is true). Anything else (including the empty string and a lone
     * {@code o}) → EINVAL. The {@code e}/{@code d} letters came with commit "kstrtox: add support
     * for enabled and disabled in kstrtobool()".
     */
    public static boolean kstrtobool(String buf) {
        switch (at(buf, 0)) {
            case 'e', 'E', 'y', 'Y', 't', 'T', '1':
                return true;
            case 'd', 'D', 'n', 'N', 'f', 'F', '0':
                return false;
            case 'o', 'O':
                switch (at(buf, 1)) {
                    case 'n', 'N':
                        return true;
                    case 'f', 'F':
                        return false;
                    default:
                        break;
                }
                break;
            default:
                break;
        }
        throw KernelException.bare(Errno.EINVAL);
    }

    /**
     * {@code simple_strtoul(s + start, &end, base)}: base fix-up as in {@link #kstrtoul} (but no
     * {@code +}, no white space skipping), then as many digits as match. Never fails: with no
     * digit the value is 0 and {@code end == start} (for base 0 or 16 with a {@code 0x} prefix
     * and no hex digit after it, only the {@code 0} is consumed). Overflow wraps silently
     * modulo 2^64.
     */
    public static Strtoul simpleStrtoul(String s, int start, int base) {
        checkBase(base);
        int[] b = {base};
        int p = fixupRadix(s, start, b);
        long res = 0;
        while (true) {
            int v = digitValue(at(s, p));
            if (v < 0 || v >= b[0]) {
                break;
            }
            res = res * b[0] + v;
            p++;
        }
        return new Strtoul(res, p);
    }

    /** The string up to (not including) its first NUL character, as the kernel sees it. */
    public static String cString(String buf) {
        int nul = buf.indexOf('\0');
        return nul < 0 ? buf : buf.substring(0, nul);
    }

    /** The kernel's {@code isspace()} for a byte value. */
    public static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
    }

    /** The kernel's {@code isxdigit()}. */
    public static boolean isXDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The kernel's {@code hex_to_bin()}: 0..15, or -1 for a non-hex character. */
    public static int hexToBin(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lc = (char) (c | 0x20);
        if (lc >= 'a' && lc <= 'f') {
            return lc - 'a' + 10;
        }
        return -1;
    }

    /** Character at {@code i}, or NUL past the end (the C string terminator). */
    static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    /** The base fix-up of _parse_integer_fixup_radix; returns the new position, updates b[0]. */
    private static int fixupRadix(String s, int p, int[] b) {
        if (b[0] == 0) {
            if (at(s, p) == '0') {
                if ((at(s, p + 1) | 0x20) == 'x' && isXDigit(at(s, p + 2))) {
                    b[0] = 16;
                } else {
                    b[0] = 8;
                }
            } else {
                b[0] = 10;
            }
        }
        if (b[0] == 16 && at(s, p) == '0' && (at(s, p + 1) | 0x20) == 'x') {
            p += 2;
        }
        return p;
    }

    private static int digitValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lc = (char) (c | 0x20);
        if (lc >= 'a' && lc <= 'f') {
            return lc - 'a' + 10;
        }
        return -1;
    }

    private static void checkBase(int base) {
        if (base != 0 && (base < 2 || base > 16)) {
            throw new IllegalArgumentException("unsupported base " + base);
        }
    }
}
