/**
 * The guest's side: the Linux a KVM guest runs, booted on the guest's view of the AP hardware
 * ({@link org.apsysfs.kvm.GuestApView}). It is the same simulated kernel ({@code Kernel}, the
 * {@code bus} package's AP bus, {@code zcrypt}'s cex4 drivers) running on different "hardware":
 * its QCI is the guest's CRYCB, its TAPQ/ZAPQ reach the host's queues, its AQIC goes through
 * vfio_ap's PQAP hook. The guest's kernel hears the AP configuration-change notification
 * vfio_ap sends when it changes the shadow APCB ({@code signal_guest_ap_cfg_changed},
 * {@code vfio_ap_ops.c}) and rescans then ({@code ap_bus_cfg_chg} → {@code ap_bus_force_rescan},
 * {@code drivers/s390/crypto/ap_bus.c}), on its own worker (the kernel's {@code system_long_wq}).
 * A Secure Execution guest also has {@code /sys/firmware/uv} ({@code arch/s390/kernel/uv.c})
 * and the queues' {@code se_bind}/{@code se_associate} files.
 *
 * <p>Locks: the guest kernel's own {@code ap_scan_bus_mutex}, {@code ap_attr_mutex} and queue
 * monitors (the same lock classes as the host's, taken in the same order); a guest rescan
 * reaches vfio_ap (PQAP hook: {@code matrix_dev->mdevs_lock}) as a host scan does. May use
 * {@code kernel}, {@code sysfs}, {@code hardware}, {@code kvm}, {@code bus}, {@code zcrypt}.
 */
package org.apsysfs.guest;
