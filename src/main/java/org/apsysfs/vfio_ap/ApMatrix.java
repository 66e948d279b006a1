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
        ApMask a = apm.and(ApMask.range(0, apmMax));
        ApMask q = aqm.and(ApMask.range(0, aqmMax));
        int[] apids = a.ids();
        int[] apqis = q.ids();
        if (apids.length > 0 && apqis.length > 0) {
            StringBuilder sb = new StringBuilder(apids.length * apqis.length * 8);
            for (int ap : apids) {
                String prefix = hex2(ap) + ".";
                for (int dq : apqis) {
                    sb.append(prefix).append(hex4(dq)).append('\n');
                }
            }
            return sb.toString();
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
        return sb.toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex2(int v) {
        return new String(new char[] {HEX[(v >> 4) & 0xf], HEX[v & 0xf]});
    }

    static String hex4(int v) {
        return new String(new char[] {HEX[(v >> 12) & 0xf], HEX[(v >> 8) & 0xf], HEX[(v >> 4) & 0xf], HEX[v & 0xf]});
    }
}
