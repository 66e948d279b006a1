package org.apsysfs.kvm;

import org.apsysfs.hardware.ApMask;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.KRwSem;
import org.apsysfs.locking.LockClass;

/**
 * A simulated KVM guest ({@code struct kvm}) as vfio_ap sees it: its {@code kvm->lock}, the
 * crypto control block (CRYCB) whose APM/AQM/ADM say which APQNs the guest can use, and the
 * PQAP hook through which the guest's PQAP(AQIC) instructions reach vfio_ap.
 *
 * <p>Locking: the CRYCB masks are written with {@code kvm->lock} held (vfio_ap holds it when
 * it plugs or unplugs) and are volatile for readers; {@link #pqapHook} is guarded by
 * {@code pqap_hook_rwsem}.
 */
public final class Kvm {
    public static final LockClass KVM_LOCK = org.apsysfs.locking.LockRank.KVM_LOCK.cls();
    public static final LockClass PQAP_HOOK_RWSEM = org.apsysfs.locking.LockRank.PQAP_HOOK_RWSEM.cls();

    /** The PQAP(AQIC) interception handler an mdev installs ({@code kvm->arch.crypto.pqap_hook}). */
    public interface PqapHook {
        /**
         * Handles PQAP(AQIC) for the guest.
         *
         * @return the AP queue status word to put into GR1
         */
        long handle(Kvm kvm, long gr0, long gr1, long gr2);
    }

    private final String name;
    private final boolean hasCrycb;
    private final KMutex lock;
    private final KRwSem pqapHookRwsem;
    private volatile ApMask apm = ApMask.empty();
    private volatile ApMask aqm = ApMask.empty();
    private volatile ApMask adm = ApMask.empty();
    /** Guarded by pqap_hook_rwsem. */
    private PqapHook pqapHook;
    private volatile long cfgChangeSignals;
    /** Guest memory size in bytes: a NIB must lie below it. */
    private volatile long memorySize = 1L << 30;
    /** The guest has a GISA (interruption registrations possible). */
    private volatile boolean hasGisa = true;
    /** Protected (secure-execution) guest: NIB pages must be shared. */
    private volatile boolean protectedVm;
    /** Guarded by this: pin counts of guest pages (vfio_pin_pages). */
    private final java.util.Map<Long, Integer> pinned = new java.util.HashMap<>();
    /** Guarded by this: pages the guest shared with the host (protected guests only). */
    private final java.util.Set<Long> shared = new java.util.HashSet<>();
    /** Guarded by this: GISC registration counts per guest ISC 0..7. */
    private final int[] gisc = new int[8];

    public Kvm(String name, boolean hasCrycb) {
        this.name = name;
        this.hasCrycb = hasCrycb;
        this.lock = new KMutex(KVM_LOCK, "kvm->lock(" + name + ")");
        this.pqapHookRwsem = new KRwSem(PQAP_HOOK_RWSEM, "pqap_hook_rwsem(" + name + ")");
    }

    public String name() {
        return name;
    }

    /** Whether the guest has a crypto control block (AP instructions interpreted). */
    public boolean hasCrycb() {
        return hasCrycb;
    }

    /** {@code kvm->lock}. */
    public KMutex lock() {
        return lock;
    }

    /** {@code kvm->arch.crypto.pqap_hook_rwsem}. */
    public KRwSem pqapHookRwsem() {
        return pqapHookRwsem;
    }

    /** {@code kvm_arch_crypto_set_masks}: the guest's AP configuration (caller holds kvm->lock). */
    public void setMasks(ApMask newApm, ApMask newAqm, ApMask newAdm) {
        if (!hasCrycb) {
            return;
        }
        this.apm = newApm;
        this.aqm = newAqm;
        this.adm = newAdm;
    }

    /** {@code kvm_arch_crypto_clear_masks}. */
    public void clearMasks() {
        setMasks(ApMask.empty(), ApMask.empty(), ApMask.empty());
    }

    public ApMask apm() {
        return apm;
    }

    public ApMask aqm() {
        return aqm;
    }

    public ApMask adm() {
        return adm;
    }

    /** Sets the hook (caller holds pqap_hook_rwsem for writing). */
    public void setPqapHook(PqapHook hook) {
        this.pqapHook = hook;
    }

    /** The hook (caller holds pqap_hook_rwsem). */
    public PqapHook pqapHook() {
        return pqapHook;
    }

    /** Guarded by itself: who hears the guest's AP configuration-change notification. */
    private final java.util.List<Runnable> cfgChangeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * The guest was told its AP configuration changed: vfio_ap signals its cfg-change eventfd
     * ({@code signal_guest_ap_cfg_changed}, {@code vfio_ap_ops.c}), the VMM turns it into a
     * channel report for the guest, whose CHSC handler calls {@code ap_bus_cfg_chg}
     * ({@code drivers/s390/cio/chsc.c}, {@code ap_bus.c}). The listeners run on the caller's
     * thread with its locks held: they must only queue work.
     */
    public void signalCfgChanged() {
        cfgChangeSignals++;
        for (Runnable r : cfgChangeListeners) {
            r.run();
        }
    }

    /** Hears every {@link #signalCfgChanged} (the guest kernel's side of the notification). */
    public void onCfgChanged(Runnable listener) {
        cfgChangeListeners.add(listener);
    }

    public long cfgChangeSignals() {
        return cfgChangeSignals;
    }

    public static final long PAGE_SIZE = 4096;

    public long memorySize() {
        return memorySize;
    }

    public void setMemorySize(long bytes) {
        this.memorySize = bytes;
    }

    public boolean hasGisa() {
        return hasGisa;
    }

    public void setHasGisa(boolean v) {
        this.hasGisa = v;
    }

    public boolean protectedVm() {
        return protectedVm;
    }

    public void setProtectedVm(boolean v) {
        this.protectedVm = v;
    }

    /** The host address backing a guest address (a fixed, recognisable mapping). */
    public static long hostAddress(long guestAddr) {
        return 0x0000_4000_0000_0000L + guestAddr;
    }

    /** {@code gfn_to_hva} is valid: the address is inside guest memory. */
    public boolean validGuestAddress(long guestAddr) {
        return guestAddr >= 0 && guestAddr < memorySize;
    }

    /** {@code vfio_pin_pages} of the page holding {@code guestAddr}; false if it cannot be pinned. */
    public synchronized boolean pin(long guestAddr) {
        if (!validGuestAddress(guestAddr)) {
            return false;
        }
        pinned.merge(guestAddr / PAGE_SIZE, 1, Integer::sum);
        return true;
    }

    /** {@code vfio_unpin_pages}. */
    public synchronized void unpin(long guestAddr) {
        pinned.computeIfPresent(guestAddr / PAGE_SIZE, (k, v) -> v > 1 ? v - 1 : null);
    }

    /** Whether the page of {@code guestAddr} is pinned. */
    public synchronized boolean isPinned(long guestAddr) {
        return pinned.containsKey(guestAddr / PAGE_SIZE);
    }

    /** Number of pinned pages (for assertions and the control files). */
    public synchronized int pinnedPages() {
        return pinned.size();
    }

    /** A protected guest shares a page with the host (so a NIB may live there). */
    public synchronized void share(long guestAddr) {
        shared.add(guestAddr / PAGE_SIZE);
    }

    public synchronized boolean isShared(long guestAddr) {
        return shared.contains(guestAddr / PAGE_SIZE);
    }

    /**
     * {@code kvm_s390_gisc_register}: registers a guest ISC with the GIB.
     *
     * @return the host ISC to use, or -1 without a GISA
     */
    public synchronized int giscRegister(int isc) {
        if (!hasGisa || isc < 0 || isc > 7) {
            return -1;
        }
        gisc[isc]++;
        return org.apsysfs.bus.ApBus.GIB_ISC;
    }

    /** {@code kvm_s390_gisc_unregister}: false if the ISC was not registered. */
    public synchronized boolean giscUnregister(int isc) {
        if (isc < 0 || isc > 7 || gisc[isc] == 0) {
            return false;
        }
        gisc[isc]--;
        return true;
    }

    /** GISC registration count of a guest ISC. */
    public synchronized int giscCount(int isc) {
        return gisc[isc];
    }

    @Override
    public String toString() {
        return name;
    }
}
