/**
 * The simulator's control files under {@code /sys/kernel/debug/apsysfs/}: what an operator
 * does on the HMC (host AP configuration changes, {@code host/}), simulated KVM guests and
 * what a VMM does with an mdev ({@code guests/}), fault injection and the validators' reports
 * ({@code faults}, {@code lockdep_reports}, {@code hazards}).
 *
 * <p>Kernel counterpart: none (debugfs is where a kernel developer would put such knobs). Each
 * write goes through the same locks the kernel path it imitates takes. May use the model
 * packages ({@code hardware}, {@code bus}, {@code kvm}, {@code vfio_ap}), {@code kernel},
 * {@code locking}, {@code sysfs}.
 */
package org.apsysfs.debugfs;
