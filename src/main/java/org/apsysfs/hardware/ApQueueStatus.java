package org.apsysfs.hardware;

/**
 * The AP queue status word returned by every PQAP/NQAP/DQAP function.
 *
 * <p>Layout of the 32-bit word (MSB first): bit 0 queue empty, 1 replies waiting, 2 queue full,
 * 6 asynchronous error pending, 7 interrupts enabled, bits 8..15 the response code.
 */
public record ApQueueStatus(boolean queueEmpty, boolean repliesWaiting, boolean queueFull,
                            boolean async, boolean irqEnabled, ApRc rc) {

    private static final ApRc[] RCS = ApRc.values();
    private static final ApQueueStatus[] BARE = new ApQueueStatus[RCS.length];
    /** [irqEnabled ? 1 : 0][rc]: queue empty, nothing else but the interrupt bit. */
    private static final ApQueueStatus[][] EMPTY_QUEUE = new ApQueueStatus[2][RCS.length];

    static {
        for (ApRc rc : RCS) {
            BARE[rc.ordinal()] = new ApQueueStatus(false, false, false, false, false, rc);
            EMPTY_QUEUE[0][rc.ordinal()] = new ApQueueStatus(true, false, false, false, false, rc);
            EMPTY_QUEUE[1][rc.ordinal()] = new ApQueueStatus(true, false, false, false, true, rc);
        }
    }

    /** A status with only a response code (all flag bits zero). */
    public static ApQueueStatus of(ApRc rc) {
        return BARE[rc.ordinal()];
    }

    /** The status of an empty queue: the queue-empty bit, the interrupt bit and a response code. */
    public static ApQueueStatus emptyQueue(boolean irqEnabled, ApRc rc) {
        return EMPTY_QUEUE[irqEnabled ? 1 : 0][rc.ordinal()];
    }

    /**
     * Decodes a status word as {@link #word()} makes it (what a PQAP intercept handler puts into
     * GR1); an unknown response code decodes as Q_NOT_AVAIL.
     */
    public static ApQueueStatus ofWord(long word) {
        int w = (int) word;
        ApRc rc;
        try {
            rc = ApRc.of((w >>> 16) & 0xff);
        } catch (IllegalArgumentException e) {
            rc = ApRc.Q_NOT_AVAIL;
        }
        return new ApQueueStatus((w & (1 << 31)) != 0, (w & (1 << 30)) != 0, (w & (1 << 29)) != 0,
                (w & (1 << 25)) != 0, (w & (1 << 24)) != 0, rc);
    }

    /** The response code's number. */
    public int responseCode() {
        return rc.code();
    }

    public boolean isNormal() {
        return rc == ApRc.NORMAL;
    }

    /** The status as the 32-bit word in the low half of GR1. */
    public int word() {
        int w = 0;
        if (queueEmpty) {
            w |= 1 << 31;
        }
        if (repliesWaiting) {
            w |= 1 << 30;
        }
        if (queueFull) {
            w |= 1 << 29;
        }
        if (async) {
            w |= 1 << 25;
        }
        if (irqEnabled) {
            w |= 1 << 24;
        }
        return w | (rc.code() << 16);
    }
}
