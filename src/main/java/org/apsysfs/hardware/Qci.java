package org.apsysfs.hardware;

/**
 * An immutable snapshot of what PQAP(QCI) returns: facility flags, Na, Nd and the three masks.
 *
 * @param na the "max APID" field (only honoured with APXA, see {@link #maxAdapterId()})
 * @param nd the "max domain" field (only honoured with APXA, see {@link #maxDomainId()})
 * @param apm adapters in the configuration
 * @param aqm usage domains in the configuration
 * @param adm control domains in the configuration
 */
public record Qci(boolean apsc, boolean apxa, boolean qact, boolean rc8a, boolean apsb,
                  int na, int nd, ApMask apm, ApMask aqm, ApMask adm) {

    /** The highest adapter ID the kernel uses: Na with APXA (if non-zero), else 63. */
    public int maxAdapterId() {
        return apxa && na != 0 ? na : 63;
    }

    /** The highest domain ID the kernel uses: Nd with APXA (if non-zero), else 15. */
    public int maxDomainId() {
        return apxa && nd != 0 ? nd : 15;
    }

    /** True if any facility flag is set (the kernel's "QCI info available" test). */
    public boolean hasFlags() {
        return apsc || apxa || qact || rc8a || apsb;
    }

    /**
     * The {@code /sys/bus/ap/features} text without newline: the set flags in the order
     * APSC APXA QACT RC8A APSB, separated by one blank; {@code "-"} if none is set.
     */
    public String features() {
        StringBuilder sb = new StringBuilder();
        append(sb, apsc, "APSC");
        append(sb, apxa, "APXA");
        append(sb, qact, "QACT");
        append(sb, rc8a, "RC8A");
        append(sb, apsb, "APSB");
        return sb.length() == 0 ? "-" : sb.toString();
    }

    Qci withMasks(ApMask apm, ApMask aqm, ApMask adm) {
        return new Qci(apsc, apxa, qact, rc8a, apsb, na, nd, apm, aqm, adm);
    }

    private static void append(StringBuilder sb, boolean on, String name) {
        if (on) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(name);
        }
    }
}
