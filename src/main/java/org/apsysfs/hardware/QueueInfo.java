package org.apsysfs.hardware;

/**
 * A snapshot of one queue's hardware state.
 *
 * @param resetInProgress a ZAPQ/RAPQ reset has not completed yet
 * @param irqEnabled interruptions enabled by AQIC
 * @param isc the ISC registered with AQIC (meaningful while irqEnabled)
 * @param nibAddress the notification-indicator byte address registered with AQIC, 0 if none
 * @param requestCount requests accepted by NQAP since the machine started
 */
public record QueueInfo(int apqn, boolean resetInProgress, boolean irqEnabled, int isc, long nibAddress,
                        long requestCount) {
}
