/**
 * The zcrypt device drivers for CEX4 and newer adapters, {@code zcrypt_cex4.c} with
 * {@code zcrypt_card.c} and {@code zcrypt_queue.c}: the default drivers {@code cex4card} and
 * {@code cex4queue} and their files ({@code online}, {@code mkvps}, {@code op_modes},
 * {@code serialnr}, ...).
 *
 * <p>No locks of their own beyond the AP bus's. May use {@code bus}, {@code hardware},
 * {@code kernel}, {@code sysfs}.
 */
package org.apsysfs.zcrypt;
