package org.apsysfs.hardware;

/**
 * The information TAPQ (with the T bit) returns in GR2.
 *
 * <p>Upper word: the facility bits ({@code ap_functions}): bit 0 APSC, 1 4K modexpo, 2 4K CRT,
 * 3 CCA, 4 accelerator, 5 EP11, 6 APXA, 7 command filtering, 8..15 classification, 16..17 SE
 * bind state. Lower word: AP type (8 bits), number of domains (8), 4 reserved, ml (4), 4
 * reserved, qd (4).
 *
 * @param functions the facility word, including the bind-state bits
 * @param apType the raw AP type ({@code raw_hwtype}; may exceed 14 on newer hardware)
 * @param domains the "number of domains" field
 * @param ml max message length in 4 KiB units (0 = not reported)
 * @param qd queue depth field (the queue holds qd + 1 requests)
 */
public record TapqInfo(int functions, int apType, int domains, int ml, int qd) {
    public static final int FN_APSC = 0x80000000;
    public static final int FN_MEX4K = 0x40000000;
    public static final int FN_CRT4K = 0x20000000;
    public static final int FN_CCA = 0x10000000;
    public static final int FN_ACCEL = 0x08000000;
    public static final int FN_EP11 = 0x04000000;
    public static final int FN_APXA = 0x02000000;
    public static final int FN_SLCF = 0x01000000;
    /** Mask of the classification byte (bits 8..15). */
    public static final int FN_CLASS_MASK = 0x00ff0000;
    /** Mask of the SE bind state (bits 16..17). */
    public static final int FN_BS_MASK = 0x0000c000;

    /** SE bind states (bits 16..17 of the facility word). */
    public static final int BS_USABLE = 0;
    public static final int BS_USABLE_NO_SECURE_KEY = 1;
    public static final int BS_AVAIL_FOR_BINDING = 2;
    public static final int BS_UNUSABLE = 3;

    /** The 64-bit GR2 value. */
    public long value() {
        long lower = ((long) (apType & 0xff) << 24) | ((domains & 0xff) << 16) | ((ml & 0xf) << 8) | (qd & 0xf);
        return ((long) functions << 32) | lower;
    }

    /** Decodes a GR2 value. */
    public static TapqInfo ofValue(long v) {
        int lower = (int) v;
        return new TapqInfo((int) (v >>> 32), (lower >>> 24) & 0xff, (lower >>> 16) & 0xff,
                (lower >>> 8) & 0xf, lower & 0xf);
    }

    /** The adapter mode encoded in the facility bits, or null if none/ambiguous. */
    public ApMode mode() {
        return ApMode.ofFunctions(functions);
    }

    /** The SE bind state (0..3). */
    public int bindState() {
        return (functions >>> 14) & 3;
    }

    /** The facility word without the queue-specific SE bind-state bits (what a card shows). */
    public int cardFunctions() {
        return functions & ~FN_BS_MASK;
    }
}
