/**
 * The machine: the host AP configuration as PQAP(QCI) reports it, the installed adapters and
 * their queues, the AP instructions (TAPQ, RAPQ, ZAPQ, AQIC, QACT and a minimal NQAP) with
 * the architecture's response codes, SCLP configure/deconfigure, check-stop and injected
 * faults; the machine file format ({@link org.apsysfs.hardware.MachineSpec}) and value types
 * ({@link org.apsysfs.hardware.ApMask}, {@link org.apsysfs.hardware.Apqn}).
 *
 * <p>Kernel counterpart: the hardware below {@code arch/s390/include/asm/ap.h}. Locks: one
 * private lock in {@link org.apsysfs.hardware.ApHardware} ({@code ap_hardware}, known to the
 * lock validator), always the innermost model lock (it never calls out while held). May use
 * {@code kernel} and {@code locking} only.
 */
package org.apsysfs.hardware;
