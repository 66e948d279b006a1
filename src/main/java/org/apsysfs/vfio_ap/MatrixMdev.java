package org.apsysfs.vfio_ap;

import java.util.List;
import org.apsysfs.bus.ApMaskParser;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kernel.Printable;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.locking.Guard;
import org.apsysfs.mdev.MdevDevice;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsOpenFile;
import org.apsysfs.vfio.IommuGroups;

/**
 * A vfio_ap mediated device ({@code struct ap_matrix_mdev}): the matrix of adapters, domains
 * and control domains assigned to it, the shadow APCB (what the guest gets, {@code guest_matrix}),
 * the queues linked to it, and the guest it is attached to.
 *
 * <p>Locking: {@link #matrix}, {@link #shadowApcb}, {@link #qtable} and the pending additions
 * are guarded by {@code mdevs_lock}; {@link #kvm} is written with {@code guests_lock},
 * {@code kvm->lock} and {@code mdevs_lock} held, so any of them suffices to read it.
 */
public final class MatrixMdev {
    /** The vfio_ap mdev files ({@code vfio_ap_mdev_attrs}), present while bound to vfio_ap_mdev. */
    static final AttributeGroup<MdevDevice> MDEV_ATTRS = AttributeGroup.of(
            Attribute.wo("assign_adapter", (d, b) -> of(d).assign(Kind.ADAPTER, b)),
            Attribute.wo("unassign_adapter", (d, b) -> of(d).unassign(Kind.ADAPTER, b)),
            Attribute.wo("assign_domain", (d, b) -> of(d).assign(Kind.DOMAIN, b)),
            Attribute.wo("unassign_domain", (d, b) -> of(d).unassign(Kind.DOMAIN, b)),
            Attribute.wo("assign_control_domain", (d, b) -> of(d).assignControlDomain(b)),
            Attribute.wo("unassign_control_domain", (d, b) -> of(d).unassignControlDomain(b)),
            Attribute.ro("control_domains", d -> of(d).controlDomainsShow()),
            Attribute.roBytes("matrix", d -> of(d).matrixShow(false)),
            Attribute.roBytes("guest_matrix", d -> of(d).matrixShow(true)),
            Attribute.rw("ap_config", d -> of(d).apConfigShow(), (d, b) -> of(d).apConfigStore(b)));

    enum Kind {
        ADAPTER("adapter", "assign_adapter", "unassign_adapter"),
        DOMAIN("domain", "assign_domain", "unassign_domain");

        final String what;
        final String assignFile;
        final String unassignFile;

        Kind(String what, String assignFile, String unassignFile) {
            this.what = what;
            this.assignFile = assignFile;
            this.unassignFile = unassignFile;
        }
    }

    final MatrixDev matrixDev;
    final MdevDevice mdev;
    final VfioApOps ops;
    /**
     * Written only by this class's stores, under mdevs_lock; volatile so the saved state can
     * read it without any lock.
     */
    volatile ApMatrix matrix;
    /** Written only through the shadow methods below. */
    ApMatrix shadowApcb;
    /** Written only by {@link #setKvm}. */
    volatile Kvm kvm;
    /** Linked queues by APQN ({@code qtable}). */
    final QueueTable qtable = new QueueTable();
    /** The host's pending additions to this matrix ({@code apm_add}, ...); written only by the pending methods below. */
    private ApMask apmAdd = ApMask.empty();
    private ApMask aqmAdd = ApMask.empty();
    private ApMask admAdd = ApMask.empty();
    final IommuGroups.Group iommuGroup;
    final VfioDevice vdev;
    /** Attribute names whose last show exceeded a page (warned once until it fits again). */
    private final java.util.Set<String> pageWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    MatrixMdev(MatrixDev matrixDev, MdevDevice mdev, VfioApOps ops, IommuGroups.Group iommuGroup) {
        this.matrixDev = matrixDev;
        this.mdev = mdev;
        this.ops = ops;
        this.iommuGroup = iommuGroup;
        int apMax = matrixDev.apBus.maxAdapterId();
        int aqMax = matrixDev.apBus.maxDomainId();
        this.matrix = ApMatrix.empty(apMax, aqMax);
        this.shadowApcb = ApMatrix.empty(apMax, aqMax);
        this.vdev = new VfioDevice(this);
    }

    static MatrixMdev of(MdevDevice d) {
        return (MatrixMdev) d.drvdata();
    }

    public String name() {
        return mdev.name();
    }

    public MdevDevice mdev() {
        return mdev;
    }

    /** The guest the mdev is attached to, or null. */
    public Kvm kvm() {
        return kvm;
    }

    /** The VFIO device a VMM opens and closes. */
    public VfioDevice vfioDevice() {
        return vdev;
    }

    /** A dev_warn/dev_info prefix: {@code vfio_ap_mdev <uuid>: }. */
    String prefix() {
        return "vfio_ap_mdev " + name() + ": ";
    }

    List<VfioApQueue> linkedQueues() {
        return qtable.values();
    }

    /** Attaches the mdev to a guest, or (null) detaches it; the caller holds the update locks of the guest. */
    void setKvm(Kvm k) {
        kvm = k;
    }

    // ------------------------------------------------------------------ the shadow APCB (mdevs_lock held)

    /** {@code vfio_ap_mdev_filter_matrix}'s result: the shadow's APM and AQM; whether either changed. */
    boolean setShadowApmAqm(ApMask apm, ApMask aqm) {
        boolean changed = !shadowApcb.apm().equals(apm) || !shadowApcb.aqm().equals(aqm);
        shadowApcb = shadowApcb.withApm(apm).withAqm(aqm);
        return changed;
    }

    /** {@code vfio_ap_mdev_filter_cdoms}'s result: the shadow's ADM; whether it changed. */
    boolean setShadowAdm(ApMask adm) {
        boolean changed = !shadowApcb.adm().equals(adm);
        shadowApcb = shadowApcb.withAdm(adm);
        return changed;
    }

    /** Takes adapter or domain {@code id} out of the shadow (a hot unplug); whether it was there. */
    boolean removeFromShadow(Kind kind, int id) {
        ApMask shadow = kind == Kind.ADAPTER ? shadowApcb.apm() : shadowApcb.aqm();
        if (!shadow.test(id)) {
            return false;
        }
        shadowApcb = kind == Kind.ADAPTER ? shadowApcb.withApm(shadow.without(id)) : shadowApcb.withAqm(shadow.without(id));
        return true;
    }

    /**
     * {@code vfio_ap_mdev_hot_unplug_cfg}: {@code bitmap_andnot} of each shadow mask with what
     * left the host (an empty set is skipped); whether the guest must be told, which is what
     * the kernel's {@code bitmap_andnot} answers: a changed mask is not empty afterwards.
     */
    boolean removeFromShadow(ApMask aprem, ApMask aqrem, ApMask cdrem) {
        boolean hotplug = false;
        if (!aprem.isEmpty()) {
            shadowApcb = shadowApcb.withApm(shadowApcb.apm().andNot(aprem));
            hotplug |= !shadowApcb.apm().isEmpty();
        }
        if (!aqrem.isEmpty()) {
            shadowApcb = shadowApcb.withAqm(shadowApcb.aqm().andNot(aqrem));
            hotplug |= !shadowApcb.aqm().isEmpty();
        }
        if (!cdrem.isEmpty()) {
            shadowApcb = shadowApcb.withAdm(shadowApcb.adm().andNot(cdrem));
            hotplug |= !shadowApcb.adm().isEmpty();
        }
        return hotplug;
    }

    // ------------------------------------------------------------------ pending host additions (mdevs_lock held)

    /** {@code vfio_ap_mdev_cfg_add}: notes which of the host's new ids this matrix has assigned. */
    void notePendingAdds(ApMask apm, ApMask aqm, ApMask adm) {
        apmAdd = matrix.apm().and(apm);
        aqmAdd = matrix.aqm().and(aqm);
        admAdd = matrix.adm().and(adm);
    }

    boolean hasPendingAdapterOrDomainAdds() {
        return !apmAdd.isEmpty() || !aqmAdd.isEmpty();
    }

    boolean hasPendingAdds() {
        return hasPendingAdapterOrDomainAdds() || !admAdd.isEmpty();
    }

    /** What {@code vfio_ap_on_scan_complete} filters again: adapters or domains, control domains. */
    record PendingFilter(boolean matrix, boolean cdoms) {
    }

    /** Which parts of the matrix the pending additions touch; forgets them. */
    PendingFilter takePendingAdds() {
        PendingFilter f = new PendingFilter(matrix.apm().intersects(apmAdd) || matrix.aqm().intersects(aqmAdd),
                matrix.adm().intersects(admAdd));
        apmAdd = ApMask.empty();
        aqmAdd = ApMask.empty();
        admAdd = ApMask.empty();
        return f;
    }

    // ------------------------------------------------------------------ reads

    /** What is assigned: the masks {@code ap_config} shows. */
    public record Assignments(ApMask adapters, ApMask domains, ApMask controlDomains) {
    }

    /**
     * The assignments, read from the model without a lock (the matrix is one immutable value),
     * so the saved state can be dumped while a store holds the driver's locks or the mdev is
     * being removed (its files are gone from the tree then, the mdev is not yet).
     */
    public Assignments assignments() {
        ApMatrix m = matrix;
        return new Assignments(m.apm(), m.aqm(), m.adm());
    }

    private byte[] matrixShow(boolean guest) {
        byte[] s;
        long n;
        try (Guard g = matrixDev.mdevsLock.lock()) {
            ApMatrix m = guest ? shadowApcb : matrix;
            s = m.formatBytes();
            n = m.apqnCount();
        }
        String file = guest ? "guest_matrix" : "matrix";
        if (s.length >= KernfsOpenFile.PAGE_SIZE) {
            boolean whole = matrixDev.wholeMatrix();
            if (pageWarned.add(file)) {
                // vfio_ap_mdev_matrix_show sprintf()s every line into the one-page sysfs
                // buffer; sysfs_kf_seq_show (fs/sysfs/file.c) then cuts a count >= PAGE_SIZE to
                // PAGE_SIZE - 1 ("fill_read_buffer: ... returned bad count"): a reader gets the
                // first 4095 bytes, the last line cut short
                matrixDev.kernel.log().warn("%s%s: %d APQNs need %d bytes, more than the %d-byte page a sysfs show may fill "
                        + "(a kernel returns the first %d bytes; %s)", prefix(), file, n, s.length,
                        KernfsOpenFile.PAGE_SIZE, KernfsOpenFile.PAGE_SIZE - 1,
                        whole ? "served whole: kernel/debug/apsysfs/whole_matrix is 1"
                                : "so does this simulator; kernel/debug/apsysfs/whole_matrix 1 serves it whole");
            }
            if (!whole) {
                s = java.util.Arrays.copyOf(s, KernfsOpenFile.PAGE_SIZE - 1);
            }
        } else {
            pageWarned.remove(file);
        }
        return s;
    }

    private String controlDomainsShow() {
        try (Guard g = matrixDev.mdevsLock.lock()) {
            StringBuilder sb = new StringBuilder();
            for (int id : matrix.adm().and(ApMask.range(0, matrix.admMax())).ids()) {
                sb.append(ApMatrix.hex4(id)).append('\n');
            }
            return sb.toString();
        }
    }

    /** {@code ap_config}: "0x&lt;APM&gt;,0x&lt;AQM&gt;,0x&lt;ADM&gt;\n", 201 bytes. */
    private String apConfigShow() {
        ApMatrix m = matrix;
        return m.apm().format() + "," + m.aqm().format() + "," + m.adm().format() + "\n";
    }

    // ------------------------------------------------------------------ stores

    private long parseId(String file, String buf) {
        try {
            return Kstrtox.kstrtoul(buf, 0);
        } catch (KernelException e) {
            String why = e.errno() == Errno.ERANGE ? "does not fit in 64 bits"
                    : "is not a number (kstrtoul base 0: decimal, 0x hex or 0-prefixed octal, so 08 and 0a are invalid)";
            throw KernelException.of(e.errno(), "%s%s: '%s' %s", prefix(), file, Printable.of(buf), why);
        }
    }

    /**
     * {@code assign_adapter} / {@code assign_domain}.
     *
     * <p>Locks: ap_attr_mutex → guests_lock → kvm->lock (if attached) → mdevs_lock.
     *
     * @throws KernelException EINVAL not a number; ERANGE beyond 64 bits; ENODEV above the
     *     maximum id; EADDRNOTAVAIL an APQN of the new matrix is reserved for the default
     *     drivers (apmask x aqmask); EADDRINUSE an APQN is assigned to another mdev. Assigning
     *     an id that is already assigned succeeds without any check.
     */
    void assign(Kind kind, String buf) {
        try (Guard g = matrixDev.attrAndUpdateLocksForMdev(this)) {
            long id = parseId(kind.assignFile, buf);
            int max = kind == Kind.ADAPTER ? matrix.apmMax() : matrix.aqmMax();
            if (Long.compareUnsigned(id, max) > 0) {
                throw KernelException.of(Errno.ENODEV, "%s%s: %s %s is above the maximum %d (ap_max_%s_id)", prefix(),
                        kind.assignFile, kind.what, Long.toUnsignedString(id), max, kind.what);
            }
            int i = (int) id;
            ApMask current = kind == Kind.ADAPTER ? matrix.apm() : matrix.aqm();
            if (current.test(i)) {
                return;
            }
            ApMatrix candidate = kind == Kind.ADAPTER ? matrix.withApm(current.with(i)) : matrix.withAqm(current.with(i));
            ops.validateMasks(this, candidate, kind.assignFile);
            matrix = candidate;
            if (kind == Kind.ADAPTER) {
                ops.linkAdapter(this, i);
            } else {
                ops.linkDomain(this, i);
            }
            ops.filterUpdateAndReset(this, false);
        }
    }

    /**
     * {@code unassign_adapter} / {@code unassign_domain}: hot-unplugs the id from the guest if it
     * was there, resets the queues that were in the guest; no re-filtering.
     *
     * <p>Locks: guests_lock → kvm->lock (if attached) → mdevs_lock.
     *
     * @throws KernelException EINVAL, ERANGE, ENODEV as for assign; unassigning an id that is not
     *     assigned succeeds.
     */
    void unassign(Kind kind, String buf) {
        try (Guard g = matrixDev.updateLocksForMdev(this)) {
            long id = parseId(kind.unassignFile, buf);
            int max = kind == Kind.ADAPTER ? matrix.apmMax() : matrix.aqmMax();
            if (Long.compareUnsigned(id, max) > 0) {
                throw KernelException.of(Errno.ENODEV, "%s%s: %s %s is above the maximum %d", prefix(),
                        kind.unassignFile, kind.what, Long.toUnsignedString(id), max);
            }
            int i = (int) id;
            ApMask current = kind == Kind.ADAPTER ? matrix.apm() : matrix.aqm();
            if (!current.test(i)) {
                return;
            }
            if (kind == Kind.ADAPTER) {
                matrix = matrix.withApm(current.without(i));
                ops.hotUnplugAdapters(this, ApMask.of(i), matrix.aqm());
            } else {
                matrix = matrix.withAqm(current.without(i));
                ops.hotUnplugDomains(this, ApMask.of(i), matrix.apm());
            }
        }
    }

    /**
     * {@code assign_control_domain}: only the range check; control domains may be shared.
     *
     * @throws KernelException EINVAL, ERANGE, ENODEV (above the maximum domain id)
     */
    void assignControlDomain(String buf) {
        try (Guard g = matrixDev.updateLocksForMdev(this)) {
            long id = parseId("assign_control_domain", buf);
            if (Long.compareUnsigned(id, matrix.admMax()) > 0) {
                throw KernelException.of(Errno.ENODEV, "%sassign_control_domain: domain %s is above the maximum %d",
                        prefix(), Long.toUnsignedString(id), matrix.admMax());
            }
            int i = (int) id;
            if (matrix.adm().test(i)) {
                return;
            }
            matrix = matrix.withAdm(matrix.adm().with(i));
            if (ops.filterCdoms(this)) {
                ops.updateGuestApcb(this);
            }
        }
    }

    /**
     * {@code unassign_control_domain}.
     *
     * @throws KernelException EINVAL, ERANGE, ENODEV
     */
    void unassignControlDomain(String buf) {
        try (Guard g = matrixDev.updateLocksForMdev(this)) {
            long id = parseId("unassign_control_domain", buf);
            if (Long.compareUnsigned(id, matrix.admMax()) > 0) {
                throw KernelException.of(Errno.ENODEV, "%sunassign_control_domain: domain %s is above the maximum %d",
                        prefix(), Long.toUnsignedString(id), matrix.admMax());
            }
            int i = (int) id;
            if (!matrix.adm().test(i)) {
                return;
            }
            matrix = matrix.withAdm(matrix.adm().without(i));
            if (shadowApcb.adm().test(i)) {
                setShadowAdm(shadowApcb.adm().without(i));
                ops.updateGuestApcb(this);
            }
        }
    }

    /**
     * {@code ap_config} store: three masks ({@code ap_hex2bitmap} each, split at ',' or '\n',
     * input cut to 201 bytes), all-or-nothing.
     *
     * <p>Locks: ap_attr_mutex → guests_lock → kvm->lock (if attached) → mdevs_lock.
     *
     * @throws KernelException EINVAL fewer than three masks or a bad mask; EADDRNOTAVAIL,
     *     EADDRINUSE as for assign; ENODEV a bit above its maximum (checked last). On any error
     *     nothing changes.
     */
    void apConfigStore(String buf) {
        try (Guard g = matrixDev.attrAndUpdateLocksForMdev(this)) {
            ApMaskParser.ApConfigMasks parsed;
            try {
                parsed = ApMaskParser.parseApConfig(buf);
            } catch (KernelException e) {
                throw KernelException.of(Errno.EINVAL,
                        "%sap_config: '%s' is not three masks 0x<64 hex>,0x<64 hex>,0x<64 hex>", prefix(), Printable.of(buf));
            }
            ApMatrix old = matrix;
            ApMatrix updated = matrix.withMasks(parsed.apm(), parsed.aqm(), parsed.adm());
            ops.validateMasks(this, updated, "ap_config");
            ops.overflowCheck(this, updated);
            ApMask removedApm = old.apm().andNot(updated.apm());
            ApMask removedAqm = old.aqm().andNot(updated.aqm());
            ApMask addedApm = updated.apm().andNot(old.apm());
            ApMask addedAqm = updated.aqm().andNot(old.aqm());
            // ap_config_store unplugs over the old matrix (its queues are still linked), then
            // links over the new one
            ops.hotUnplugAdapters(this, removedApm, old.aqm());
            ops.hotUnplugDomains(this, removedAqm, old.apm());
            matrix = updated;
            for (int a : addedApm.ids()) {
                ops.linkAdapter(this, a);
            }
            for (int q : addedAqm.ids()) {
                ops.linkDomain(this, q);
            }
            ops.filterUpdateAndReset(this, true);
        }
    }
}
