package org.apsysfs.hardware;

/** Helpers for AP queue numbers: {@code apqn = (apid << 8) | apqi}, each part 0..255. */
public final class Apqn {
    private Apqn() {
    }

    public static int of(int apid, int apqi) {
        if ((apid & ~0xff) != 0 || (apqi & ~0xff) != 0) {
            throw new IllegalArgumentException("APQN part out of range: " + apid + "." + apqi);
        }
        return (apid << 8) | apqi;
    }

    /** The adapter ID (APID). */
    public static int apid(int apqn) {
        return (apqn >>> 8) & 0xff;
    }

    /** The domain (queue index, APQI). */
    public static int apqi(int apqn) {
        return apqn & 0xff;
    }

    /** The sysfs queue name, {@code %02x.%04x}, e.g. {@code 05.0047}. */
    public static String name(int apqn) {
        return String.format("%02x.%04x", apid(apqn), apqi(apqn));
    }

    /**
     * Parses "AA.DDDD" (two and four hex digits, as sysfs names queues).
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    public static int parse(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 2 || p[0].length() != 2 || p[1].length() != 4) {
            throw new IllegalArgumentException("'" + s + "' is not an APQN AA.DDDD");
        }
        try {
            return of(Integer.parseInt(p[0], 16), Integer.parseInt(p[1], 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an APQN AA.DDDD");
        }
    }
}
