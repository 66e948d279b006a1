package org.apsysfs.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Inputs for one write: edge cases every store should survive (empty, blanks, signs, every
 * base prefix, numbers around 2^32 and 2^64, ids around the maxima, non-ASCII and NUL bytes,
 * CRLF, a page and more), values that make sense for the file's kind (so that stores also
 * succeed and change state), mutations of those, and random bytes.
 */
final class Inputs {
    /** What the generator knows about the tree right now (names to use in values). */
    record Names(List<String> queues, List<String> cards, List<String> mdevs, List<String> guests,
            int maxAdapter, int maxDomain) {
    }

    static final int PAGE = 4096;

    private static final String[] GENERIC = {
        "", "\n", " ", "\t", "  \n", "\r\n", "\0", "\0\n", "1\0", "\n1", "1\n\n", "1\r\n", " 1", "1 ", "+", "-", "+1", "-1",
        "++1", "--1", "+-1", "0", "1", "00", "0x", "0X", "0x\n", "x", "0b", "0b1", "0o7", "08", "09", "010", "0x10", "0X1F",
        "0xg", "x10", "1e3", "1.0", "1,", ",", ",,", "1,2", "-0", "+0", "0x-1", "0x+1", "\u00e9", "\u00ff\u00fe", "\u0080",
        "\u00c3\u00a9", "1\u00a0", "\u001b[0m", "%s%n%x", "../../etc/passwd", "null", "true", "false", "yes", "no",
        "on", "off", "y", "n", "Y", "N", "t", "f", "4294967295", "4294967296", "4294967297", "-4294967296",
        "18446744073709551615", "18446744073709551616", "18446744073709551617", "-9223372036854775808",
        "9223372036854775807", "9223372036854775808", "0xffffffff", "0x100000000", "0xffffffffffffffff",
        "0x10000000000000000", "01777777777777777777777", "02000000000000000000000", "99999999999999999999999999",
        "0000000000000000000000000000000001", "255", "256", "0xff", "0x100", "84", "85", "0x54", "0x55", "-256",
    };

    private static final String[] NUMBERS_VALUE = {
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "15", "16", "63", "64", "71", "84", "85", "100", "127",
        "128", "254", "255", "256", "257", "1000", "65535", "65536", "2147483647", "2147483648", "4294967295",
        "4294967296", "18446744073709551615", "18446744073709551616",
    };

    private Inputs() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One input for a file of kind {@code kind}. */
    static byte[] next(Random r, String kind, Names n) {
        int c = r.nextInt(20);
        if (c < 4) {
            return bytes(GENERIC[r.nextInt(GENERIC.length)]);
        }
        if (c < 10) {
            return bytes(decorate(r, pick(r, valid(r, kind, n))));
        }
        if (c < 12) {
            return bytes(number(r, n));
        }
        if (c < 15) {
            return mutate(r, bytes(pick(r, valid(r, kind, n))));
        }
        if (c < 17) {
            return randomBytes(r, r.nextInt(48));
        }
        if (c < 18) {
            return bytes(pick(r, valid(r, kind, n)) + (r.nextBoolean() ? "\n" : "") + pick(r, valid(r, kind, n)));
        }
        return big(r, kind, n);
    }

    /** A page, one byte less or more, or a few pages: of a repeated token or of padding. */
    static byte[] big(Random r, String kind, Names n) {
        int[] sizes = {PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 3 * PAGE + 7, 64 * 1024};
        int size = sizes[r.nextInt(sizes.length)];
        String token = switch (r.nextInt(4)) {
            case 0 -> "0";
            case 1 -> " ";
            case 2 -> pick(r, valid(r, kind, n)) + ",";
            default -> "f";
        };
        StringBuilder sb = new StringBuilder(size);
        if (r.nextBoolean()) {
            sb.append(pick(r, valid(r, kind, n)));
        }
        while (sb.length() < size) {
            sb.append(token.isEmpty() ? "x" : token);
        }
        sb.setLength(size);
        if (r.nextBoolean()) {
            sb.setCharAt(size - 1, '\n');
        }
        return bytes(sb.toString());
    }

    private static String pick(Random r, List<String> l) {
        return l.isEmpty() ? "" : l.get(r.nextInt(l.size()));
    }

    /** A valid-looking value, sometimes with a newline, CRLF, blanks, a sign or a NUL. */
    private static String decorate(Random r, String v) {
        return switch (r.nextInt(12)) {
            case 0, 1, 2, 3, 4 -> v + "\n";
            case 5, 6 -> v;
            case 7 -> v + "\r\n";
            case 8 -> " " + v;
            case 9 -> v + " \n";
            case 10 -> v + "\0junk";
            default -> v.toUpperCase(Locale.ROOT) + "\n";
        };
    }

    /** A number in a random base, around an interesting value. */
    static String number(Random r, Names n) {
        long[] around = {0, 1, n.maxAdapter(), n.maxAdapter() + 1L, n.maxDomain(), n.maxDomain() + 1L, 255, 256,
            0xffffffffL, 0x100000000L, Long.MAX_VALUE, -1L /* 2^64 - 1 */};
        long v = around[r.nextInt(around.length)] + (r.nextInt(3) - 1);
        String digits = switch (r.nextInt(5)) {
            case 0 -> "0x" + Long.toHexString(v);
            case 1 -> "0X" + Long.toHexString(v).toUpperCase(Locale.ROOT);
            case 2 -> "0" + Long.toOctalString(v);
            case 3 -> "0b" + Long.toBinaryString(v);
            default -> Long.toUnsignedString(v);
        };
        if (r.nextInt(8) == 0) {
            // beyond 2^64
            digits = digits + "0";
        }
        String sign = switch (r.nextInt(8)) {
            case 0 -> "+";
            case 1 -> "-";
            default -> "";
        };
        return sign + digits + (r.nextInt(3) > 0 ? "\n" : "");
    }

    static byte[] mutate(Random r, byte[] in) {
        List<Byte> b = new ArrayList<>();
        for (byte x : in) {
            b.add(x);
        }
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            int op = r.nextInt(5);
            int at = b.isEmpty() ? 0 : r.nextInt(b.size() + 1);
            switch (op) {
                case 0 -> b.add(Math.min(at, b.size()), interestingByte(r));
                case 1 -> {
                    if (!b.isEmpty()) {
                        b.remove(Math.min(at, b.size() - 1));
                    }
                }
                case 2 -> {
                    if (!b.isEmpty()) {
                        int i2 = Math.min(at, b.size() - 1);
                        b.set(i2, (byte) (b.get(i2) ^ (1 << r.nextInt(8))));
                    }
                }
                case 3 -> {
                    if (!b.isEmpty()) {
                        // duplicate a slice
                        int from = r.nextInt(b.size());
                        int to = Math.min(b.size(), from + 1 + r.nextInt(8));
                        b.addAll(Math.min(at, b.size()), new ArrayList<>(b.subList(from, to)));
                    }
                }
                default -> {
                    if (b.size() > 1) {
                        b = new ArrayList<>(b.subList(0, r.nextInt(b.size())));
                    }
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static byte interestingByte(Random r) {
        byte[] bs = {0, '\n', '\r', ' ', '\t', '+', '-', ',', '.', 'x', '0', '9', 'f', 'g', (byte) 0x80, (byte) 0xff, (byte) 0xc3};
        return bs[r.nextInt(bs.length)];
    }

    static byte[] randomBytes(Random r, int len) {
        byte[] b = new byte[len];
        if (r.nextBoolean()) {
            r.nextBytes(b);
        } else {
            for (int i = 0; i < len; i++) {
                b[i] = (byte) (0x20 + r.nextInt(0x5f));
            }
        }
        return b;
    }

    static String uuid(Random r) {
        return new java.util.UUID(r.nextLong(), r.nextLong()).toString();
    }

    private static List<String> ids(Random r, Names n, int max) {
        List<String> l = new ArrayList<>(Arrays.asList(NUMBERS_VALUE));
        l.addAll(List.of("0x4", "0x5", "0x6", "0xb", "0x47", "0x54", "004", "0105", "+5", "+0x47", "0x" + Integer.toHexString(max),
            Integer.toString(max), Integer.toString(max + 1), "0x" + Integer.toHexString(max + 1)));
        return l;
    }

    private static String mask(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> "+" + r.nextInt(260);
            case 1 -> "-" + r.nextInt(260);
            case 2 -> (r.nextBoolean() ? "+" : "-") + r.nextInt(256) + "-" + r.nextInt(256);
            case 3 -> "0x" + hex(r, r.nextInt(66));
            case 4 -> hex(r, r.nextInt(66));
            case 5 -> "-5,-6";
            case 6 -> "+5,+6";
            case 7 -> "-0x47,+0x54";
            case 8 -> "0x" + "f".repeat(64);
            default -> "+0-15,+32,-128,-0xff";
        };
    }

    private static String hex(Random r, int digits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < digits; i++) {
            sb.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return sb.toString();
    }

    private static String apqnLike(Random r, Names n) {
        return switch (r.nextInt(8)) {
            case 0 -> "ff.ffff";
            case 1 -> "-1.0004";
            case 2 -> "05.1004";
            case 3 -> "5.4";
            case 4 -> "0g.0004";
            default -> pick(r, n.queues().isEmpty() ? List.of("05.0004") : n.queues());
        };
    }

    /** Values that make sense for the kind of file. */
    static List<String> valid(Random r, String kind, Names n) {
        List<String> devs = new ArrayList<>(n.queues());
        devs.addAll(n.cards());
        devs.addAll(n.mdevs());
        devs.addAll(List.of("matrix", "ff.ffff", "05.0054", "card00", "00.0000"));
        String leaf = kind.substring(kind.lastIndexOf('/') + 1);
        switch (leaf) {
            case "apmask", "aqmask":
                return List.of(mask(r), mask(r), mask(r), "", "0x", "+5", "-5", "+0x47", "-0x54,-0x47", "-6");
            case "ap_domain":
                return List.of("4", "5", "0x47", "0x54", "071", "84", "85", "-1", "0", "255");
            case "config_time":
                return List.of("4", "5", "30", "120", "121", "-5", "0x10");
            case "poll_thread":
                return List.of("1", "0", "y", "n", "on", "off", "oN", "of", "2");
            case "poll_timeout":
                return List.of("250000", "1500000", "120000000000", "120000000001", "0", "0x3d090");
            case "scans", "request_count", "reset":
                return List.of("1", "0", "", "anything");
            case "drivers_autoprobe":
                return List.of("1", "0");
            case "drivers_probe", "bind", "unbind":
                return devs;
            case "uevent":
                return List.of("add", "change", "remove", "move", "online", "offline", "bind", "unbind", "chang",
                    "change " + uuid(r), "change " + uuid(r) + " A=1 B=2", "change x", "change " + uuid(r) + " noequals", "");
            case "config", "online":
                return List.of("0", "1", "2", "-1", "1abc", " 1", "+1", "0x1", "01");
            case "driver_override":
                return List.of("vfio_ap", "cex4queue", "cex4card", "", "nosuchdriver", "x".repeat(r.nextInt(300)));
            case "control":
                return List.of("auto", "on", "off", "Auto", "autox");
            case "autosuspend_delay_ms":
                return List.of("0", "100", "-1", "2147483648");
            case "create":
                String u = uuid(r);
                List<String> c = new ArrayList<>(List.of(u, u.toUpperCase(Locale.ROOT), u.substring(1), u + "0",
                    u.replace('-', '_'), "{" + u + "}"));
                for (String m : n.mdevs()) {
                    c.add(m);
                    c.add(m.toUpperCase(Locale.ROOT));
                }
                return c;
            case "remove":
                return List.of("1", "0", "0x1", "+1", "01", "2", "-1", "");
            case "assign_adapter", "unassign_adapter":
                return ids(r, n, n.maxAdapter());
            case "assign_domain", "unassign_domain", "assign_control_domain", "unassign_control_domain":
                return ids(r, n, n.maxDomain());
            case "ap_config":
                String z = "0x" + "0".repeat(64);
                return List.of(z + "," + z + "," + z, "0x04,0x08,0x08", "0x06,0x0c,0x0c", "0x04,0x0800000000000000001,0x",
                    ",,", "0x,0x,0x", "0x04,0x08", "0x04;0x08;0x08", "0x" + "f".repeat(64) + ",0x08,0x",
                    "0x04,0x" + "f".repeat(65) + ",0x", "0x04,0x0c,0x0c,extra", "0x" + hex(r, 64) + ",0x" + hex(r, 64) + ",0x"
                        + hex(r, 64));
            case "faults":
                String q = apqnLike(r, n);
                return List.of("reset_delay " + q + " " + r.nextInt(100), "zapq " + q + " BUSY", "tapq " + q + " 3 2",
                    "aqic " + q + " OTHERWISE_CHANGED 1", "nqap " + q + " 0x05", "rapq " + q + " RESET_IN_PROGRESS -1",
                    "clear all", "clear " + q, "zapq " + q + " NOSUCHRC", "reset_delay " + q + " 9223372036854775807",
                    "reset_delay " + q + " -1", "frob " + q, "zapq", "clear");
            case "attach", "detach":
                List<String> a = new ArrayList<>(n.mdevs());
                a.add(uuid(r));
                a.add("");
                return a;
            case "pqap":
                String p = apqnLike(r, n);
                return List.of("tapq " + p, "nqap " + p, "aqic " + p + " enable " + r.nextInt(9) + " 0x" + Long.toHexString(r.nextLong()),
                    "aqic " + p + " enable 3 0x1000", "aqic " + p + " enable 3 0", "aqic " + p + " disable", "aqic " + p,
                    "frob " + p, "tapq");
            default:
                break;
        }
        if (kind.endsWith("guests/create")) {
            return List.of("g" + r.nextInt(4), "g" + r.nextInt(4) + " nocrycb", "g" + r.nextInt(4) + " nogisa protected",
                "g" + r.nextInt(4) + " mem=0x100000", "g9 mem=-1", "g9 mem=0", "bad!name", "x".repeat(33), "g8 bogus");
        }
        if (kind.endsWith("guests/destroy")) {
            List<String> g = new ArrayList<>(n.guests());
            g.add("nosuch");
            return g;
        }
        // unknown (e.g. new control files): numbers, names and APQNs
        List<String> any = new ArrayList<>(List.of("1", "0", apqnLike(r, n)));
        any.addAll(n.mdevs());
        return any;
    }
}
