/**
 * Simulated KVM guests as vfio_ap sees them ({@code arch/s390/kvm/kvm-s390.c},
 * {@code priv.c}): {@code struct kvm} with its CRYCB (APM/AQM/ADM set by
 * {@code kvm_arch_crypto_set_masks}), the PQAP hook through which the guest's PQAP(AQIC)
 * reaches vfio_ap, GISA and pinned pages, and the NIB hazard checker.
 *
 * <p>Locks: {@code &kvm->lock} and {@code &kvm->arch.crypto.pqap_hook_rwsem}
 * ({@link org.apsysfs.kvm.Kvm}). {@link org.apsysfs.kvm.GuestApView} is the AP hardware as the
 * guest sees it (the SIE interpretation: QCI = CRYCB, TAPQ/ZAPQ on the host queues, AQIC through
 * the PQAP hook, the Ultravisor's SE bind state). May use {@code hardware}, {@code kernel} and
 * {@code locking}.
 */
package org.apsysfs.kvm;
