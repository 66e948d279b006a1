/**
 * Simulated KVM guests as vfio_ap sees them ({@code arch/s390/kvm/kvm-s390.c},
 * {@code priv.c}): {@code struct kvm} with its CRYCB (APM/AQM/ADM set by
 * {@code kvm_arch_crypto_set_masks}), the PQAP hook through which the guest's PQAP(AQIC)
 * reaches vfio_ap, GISA and pinned pages, and the NIB hazard checker.
 *
 * <p>Locks: {@code &kvm->lock} and {@code &kvm->arch.crypto.pqap_hook_rwsem}
 * ({@link org.apsysfs.kvm.Kvm}). May use {@code hardware} and {@code locking}.
 */
package org.apsysfs.kvm;
