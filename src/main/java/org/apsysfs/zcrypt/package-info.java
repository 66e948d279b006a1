/**
 * The zcrypt device drivers for CEX4 and newer adapters, {@code zcrypt_cex4.c} with
 * {@code zcrypt_card.c} and {@code zcrypt_queue.c}: the default drivers {@code cex4card} and
 * {@code cex4queue} and their files ({@code online}, {@code mkvps}, {@code op_modes},
 * {@code serialnr}, ...); and {@code zcrypt_api.c} ({@link org.apsysfs.zcrypt.ZcryptApi}): the
 * misc device {@code z90crypt} and the multiple device nodes ({@code class/zcrypt/create},
 * {@code destroy}, the node devices with {@code ioctlmask}, {@code apmask}, {@code aqmask},
 * {@code admask}).
 *
 * <p>Locks: {@code ap_perms_mutex} ({@link org.apsysfs.zcrypt.ZcryptApi#AP_PERMS_MUTEX}) for the
 * node list and masks, held across a node's device_register/unregister; otherwise the AP bus's.
 * May use {@code base}, {@code bus}, {@code hardware}, {@code kernel}, {@code locking},
 * {@code sysfs}.
 */
package org.apsysfs.zcrypt;
