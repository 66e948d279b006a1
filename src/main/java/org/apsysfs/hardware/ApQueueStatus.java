package org.apsysfs.hardware;

/**
 * The AP queue status word returned by every PQAP/NQAP/DQAP function.
 *
 * <p>Layout of the 32-bit word (MSB first): bit 0 queue empty, 1 replies waiting, 2 queue full,
 * 6 asynchronous error pending, 7 interrupts enabled, bits 8..15 the response code.
 */
public record ApQueueStatus(boolean queueEmpty, boolean repliesWaiting, boolean queueFull,
                            boolean async, boolean irqEnabled, ApRc rc) {

    /** A status with only a response code (all flag bits zero). */
    public static ApQueueStatus of(ApRc rc) {
        return new ApQueueStatus(false, false, false, false, false, rc);
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
