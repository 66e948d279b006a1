/**
 * The AP bus, {@code drivers/s390/crypto/ap_bus.c}, {@code ap_card.c} and {@code ap_queue.c}:
 * {@code /sys/bus/ap} and its files, the reservation masks {@code apmask}/{@code aqmask} and
 * their parser ({@code ap_parse_mask_str}), the bus scan ({@code ApScan}) that turns the host AP configuration
 * into card and queue devices, the queue state machine, and the probe rule that gives
 * reserved queues to the default drivers and free ones to the others.
 *
 * <p>Locks: {@code ap_scan_bus_mutex} and {@code ap_attr_mutex}
 * ({@link org.apsysfs.bus.ApBus}), each queue's {@code aq->lock} (the queue's monitor). May use
 * {@code hardware} (the machine it runs on), {@code base}, {@code kernel}, {@code locking},
 * {@code sysfs}; the drivers on top ({@code zcrypt}, {@code vfio_ap}) plug in through
 * {@link org.apsysfs.bus.ApDriver}.
 */
package org.apsysfs.bus;
