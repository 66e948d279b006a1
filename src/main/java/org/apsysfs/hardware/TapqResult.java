package org.apsysfs.hardware;

/**
 * What TAPQ returns: the status and, if requested and available, the GR2 information.
 *
 * @param info null when TAPQ was issued without the T bit or the APQN gives no information
 *     (e.g. Q_NOT_AVAIL)
 */
public record TapqResult(ApQueueStatus status, TapqInfo info) {
    public ApRc rc() {
        return status.rc();
    }
}
