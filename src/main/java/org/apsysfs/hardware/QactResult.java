package org.apsysfs.hardware;

/**
 * What QACT returns.
 *
 * @param compatibleType the compatible AP type (10..14) for the requested mode, or 0 if none
 *     (only meaningful when the status is NORMAL)
 */
public record QactResult(ApQueueStatus status, int compatibleType) {
    public ApRc rc() {
        return status.rc();
    }
}
