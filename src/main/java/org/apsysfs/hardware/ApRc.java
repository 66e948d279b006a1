package org.apsysfs.hardware;

/** AP queue response codes (the 8-bit response code of the AP queue status word). */
public enum ApRc {
    NORMAL(0x00),
    Q_NOT_AVAIL(0x01),
    RESET_IN_PROGRESS(0x02),
    DECONFIGURED(0x03),
    CHECKSTOPPED(0x04),
    BUSY(0x05),
    INVALID_ADDRESS(0x06),
    OTHERWISE_CHANGED(0x07),
    INVALID_GISA(0x08),
    Q_BOUND_TO_ANOTHER(0x09),
    STATE_CHANGE_IN_PROGRESS(0x0A),
    Q_NOT_BOUND(0x0B),
    /** 0x10: Q_FULL for NQAP, NO_PENDING_REPLY for DQAP. */
    Q_FULL(0x10),
    INDEX_TOO_BIG(0x11),
    NO_FIRST_PART(0x13),
    MESSAGE_TOO_BIG(0x15),
    REQ_FAC_NOT_INST(0x16),
    Q_BIND_ERROR(0x30),
    Q_NOT_AVAIL_FOR_ASSOC(0x31),
    Q_NOT_EMPTY(0x32),
    BIND_LIMIT_EXCEEDED(0x33),
    INVALID_ASSOC_SECRET(0x34),
    ASSOC_SECRET_NOT_UNIQUE(0x35),
    ASSOC_FAILED(0x36),
    INVALID_DOMAIN(0x42);

    /** Alias: DQAP's name for 0x10. */
    public static final ApRc NO_PENDING_REPLY = Q_FULL;

    private static final ApRc[] BY_CODE = new ApRc[256];

    static {
        for (ApRc rc : values()) {
            BY_CODE[rc.code] = rc;
        }
    }

    private final int code;

    ApRc(int code) {
        this.code = code;
    }

    /** The numeric response code. */
    public int code() {
        return code;
    }

    /** The response code with this number. */
    public static ApRc of(int code) {
        ApRc rc = code >= 0 && code < 256 ? BY_CODE[code] : null;
        if (rc == null) {
            throw new IllegalArgumentException("unknown AP response code " + code);
        }
        return rc;
    }

    /** Parses a name such as {@code "BUSY"} (case-insensitive) or a number such as {@code "0x05"}. */
    public static ApRc parse(String s) {
        String t = s.trim();
        for (ApRc rc : values()) {
            if (rc.name().equalsIgnoreCase(t)) {
                return rc;
            }
        }
        if (t.equalsIgnoreCase("NO_PENDING_REPLY")) {
            return Q_FULL;
        }
        try {
            return of(Integer.decode(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown AP response code \"" + s + "\"");
        }
    }
}
