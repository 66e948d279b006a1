package org.apsysfs.fuzz;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apsysfs.kernel.Errno;

/**
 * A second, independent oracle for the files whose parser the kernel pins down exactly
 * (kstrtoul in vfio_ap_ops.c assign_*_store, uuid_parse in mdev_sysfs.c create_store): from the input alone it predicts the outcome of the parse and range steps, so a
 * store that accepts what the kernel refuses (or the reverse) is caught, not only a wrong
 * errno. Written from the kernel sources (lib/kstrtox.c _kstrtoull, lib/uuid.c __uuid_parse), sharing no
 * code with {@code Kstrtox}.
 */
final class Expectations {
    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);

    private Expectations() {
    }

    /**
     * kstrtoul(s, 0) as lib/kstrtox.c does it: the value, or -EINVAL / -ERANGE (as a negative
     * number). Digits are taken as long as they are digits of the base; overflow is ERANGE even
     * with junk after the digits; then one '\n' may follow and nothing else.
     */
    static BigInteger kstrtoul(String buf) {
        String s = buf;
        int z = s.indexOf('\0');
        if (z >= 0) {
            s = s.substring(0, z); // the store sees a C string
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        int radix = 10;
        if (s.length() > 2 && s.charAt(0) == '0' && (s.charAt(1) == 'x' || s.charAt(1) == 'X') && hex(s.charAt(2))) {
            radix = 16;
            s = s.substring(2);
        } else if (s.startsWith("0")) {
            radix = 8;
        }
        int i = 0;
        while (i < s.length() && s.charAt(i) < 0x80 && Character.digit(s.charAt(i), radix) >= 0) {
            i++;
        }
        if (i == 0) {
            return BigInteger.valueOf(-Errno.EINVAL.code());
        }
        BigInteger v = new BigInteger(s.substring(0, i), radix);
        if (v.compareTo(U64) >= 0) {
            return BigInteger.valueOf(-Errno.ERANGE.code());
        }
        String rest = s.substring(i);
        if (rest.startsWith("\n")) {
            rest = rest.substring(1);
        }
        return rest.isEmpty() ? v : BigInteger.valueOf(-Errno.EINVAL.code());
    }

    private static boolean hex(char c) {
        return c < 0x80 && Character.digit(c, 16) >= 0;
    }

    /**
     * The outcomes (0 = success, else the errno) those kernel functions allow for {@code input} written to
     * a file of {@code kind}; null when this oracle makes no prediction.
     */
    static Set<Integer> outcomes(String kind, byte[] input, int maxAdapter, int maxDomain) {
        if (input.length == 0 || input.length > Inputs.PAGE) {
            return null; // an empty write never reaches the store; a long one is cut to a page
        }
        String buf = new String(input, StandardCharsets.ISO_8859_1);
        String leaf = kind.substring(kind.lastIndexOf('/') + 1);
        boolean mdev = kind.startsWith("/devices/vfio_ap/matrix/UUID/");
        if (mdev && leaf.matches("(un)?assign_(adapter|domain|control_domain)")) {
            BigInteger v = kstrtoul(buf);
            if (v.signum() < 0) {
                return Set.of(-v.intValue());
            }
            int max = leaf.endsWith("adapter") ? maxAdapter : maxDomain;
            if (v.compareTo(BigInteger.valueOf(max)) > 0) {
                return Set.of(Errno.ENODEV.code());
            }
            return leaf.startsWith("assign_") && !leaf.equals("assign_control_domain")
                    ? Set.of(0, Errno.EADDRNOTAVAIL.code(), Errno.EADDRINUSE.code()) : Set.of(0);
        }
        if (mdev && leaf.equals("remove")) {
            BigInteger v = kstrtoul(buf);
            // remove: any parse failure (overflow too) is EINVAL (mdev_sysfs.c remove_store: kstrtoul)
            return v.signum() < 0 ? Set.of(Errno.EINVAL.code()) : Set.of(0, Errno.ENODEV.code(), Errno.EAGAIN.code());
        }
        if (kind.equals("/bus/ap/poll_timeout")) {
            BigInteger v = kstrtoul(buf);
            if (v.signum() < 0) {
                return Set.of(-v.intValue());
            }
            return v.compareTo(BigInteger.valueOf(120_000_000_000L)) > 0 ? Set.of(Errno.EINVAL.code()) : Set.of(0);
        }
        if (kind.endsWith("/vfio_ap-passthrough/create")) {
            if (input.length != 36 && input.length != 37) {
                return Set.of(Errno.EINVAL.code());
            }
            if (!buf.substring(0, 36).matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
                return Set.of(Errno.EINVAL.code());
            }
            return Set.of(0, Errno.EEXIST.code(), Errno.EUSERS.code());
        }
        return null;
    }
}
