package org.apsysfs.vfio_ap;

import org.apsysfs.hardware.ApMask;

/**
 * An AP matrix ({@code struct ap_matrix}): adapters, usage domains and control domains with
 * the highest ids that may be set. Immutable: updates make a new matrix, so "tentatively set,
 * validate, restore" is just keeping the old value.
 */
record ApMatrix(ApMask apm, ApMask aqm, ApMask adm, int apmMax, int aqmMax, int admMax) {

    /** {@code vfio_ap_matrix_init}: empty, with max ids from the machine (Na/Nd with APXA, else 63/15). */
    static ApMatrix empty(int apmMax, int aqmMax) {
        return new ApMatrix(ApMask.empty(), ApMask.empty(), ApMask.empty(), apmMax, aqmMax, aqmMax);
    }

    ApMatrix withApm(ApMask m) {
        return new ApMatrix(m, aqm, adm, apmMax, aqmMax, admMax);
    }

    ApMatrix withAqm(ApMask m) {
        return new ApMatrix(apm, m, adm, apmMax, aqmMax, admMax);
    }

    ApMatrix withAdm(ApMask m) {
        return new ApMatrix(apm, aqm, m, apmMax, aqmMax, admMax);
    }

    ApMatrix withMasks(ApMask newApm, ApMask newAqm, ApMask newAdm) {
        return new ApMatrix(newApm, newAqm, newAdm, apmMax, aqmMax, admMax);
    }

    /** True if (apid, apqi) is in APM x AQM. */
    boolean contains(int apid, int apqi) {
        return apm.test(apid) && aqm.test(apqi);
    }

    /** Number of APQNs in APM x AQM. */
    long apqnCount() {
        return (long) apm.cardinality() * aqm.cardinality();
    }

    /**
     * The text of {@code matrix}/{@code guest_matrix}: "AA.DDDD" lines (APID-major), or "AA."
     * lines with no domains, or ".DDDD" lines with no adapters, or nothing; only ids up to the
     * maxima are printed.
     */
    String format() {
        return new String(formatBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** {@link #format()} as ASCII bytes, written straight into one array. */
    byte[] formatBytes() {
        ApMask a = apm.and(ApMask.range(0, apmMax));
        ApMask q = aqm.and(ApMask.range(0, aqmMax));
        int[] apids = a.ids();
        int[] apqis = q.ids();
        if (apids.length > 0 && apqis.length > 0) {
            // "AA.DDDD\n": the domain part of each line is the same for every adapter
            byte[] doms = new byte[apqis.length * 5];
            for (int i = 0; i < apqis.length; i++) {
                int d = apqis[i];
                int p = i * 5;
                doms[p] = HEXB[(d >> 12) & 0xf];
                doms[p + 1] = HEXB[(d >> 8) & 0xf];
                doms[p + 2] = HEXB[(d >> 4) & 0xf];
                doms[p + 3] = HEXB[d & 0xf];
                doms[p + 4] = '\n';
            }
            byte[] out = new byte[apids.length * apqis.length * 8];
            int p = 0;
            for (int ap : apids) {
                byte h = HEXB[(ap >> 4) & 0xf];
                byte l = HEXB[ap & 0xf];
                for (int i = 0; i < apqis.length; i++) {
                    out[p] = h;
                    out[p + 1] = l;
                    out[p + 2] = '.';
                    System.arraycopy(doms, i * 5, out, p + 3, 5);
                    p += 8;
                }
            }
            return out;
        }
        StringBuilder sb = new StringBuilder();
        if (apids.length > 0) {
            for (int ap : apids) {
                sb.append(hex2(ap)).append(".\n");
            }
        } else {
            for (int dq : apqis) {
                sb.append('.').append(hex4(dq)).append('\n');
            }
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEXB = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex2(int v) {
        return new String(new char[] {HEX[(v >> 4) & 0xf], HEX[v & 0xf]});
    }

    static String hex4(int v) {
        return new String(new char[] {HEX[(v >> 12) & 0xf], HEX[(v >> 8) & 0xf], HEX[(v >> 4) & 0xf], HEX[v & 0xf]});
    }
}
