package org.apsysfs.debugfs;

import org.apsysfs.Kernel;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.kernel.Printable;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.vfio_ap.MatrixDev;

/**
 * Simulator switches for the vfio_ap driver under {@code /sys/kernel/debug/apsysfs/}.
 *
 * <pre>
 * whole_matrix     0 (default) or 1. An mdev's matrix and guest_matrix past one page: 0 serves
 *                  what a kernel returns (the first 4095 bytes: vfio_ap_mdev_matrix_show fills
 *                  the one-page sysfs buffer and sysfs_kf_seq_show cuts the count), 1 the whole
 *                  list. Written like a kernel boolean (kstrtobool: 1/y/t/e/on, 0/n/f/d/off).
 * </pre>
 */
public final class VfioApFiles {
    private final Kernel kernel;
    private final MatrixDev matrixDev;

    static final AttributeGroup<VfioApFiles> ATTRS = AttributeGroup.of(
            Attribute.rw("whole_matrix", f -> (f.matrixDev.wholeMatrix() ? 1 : 0) + "\n", VfioApFiles::wholeMatrixStore));

    public VfioApFiles(Kernel kernel, MatrixDev matrixDev) {
        this.kernel = kernel;
        this.matrixDev = matrixDev;
        kernel.controlDir().addGroup(ATTRS, this);
    }

    private void wholeMatrixStore(String buf) {
        boolean on;
        try {
            on = Kstrtox.kstrtobool(buf);
        } catch (KernelException e) {
            throw KernelException.of(e.errno(), "apsysfs: whole_matrix: '%s' is not a boolean", Printable.of(buf));
        }
        matrixDev.setWholeMatrix(on);
        kernel.log().info("apsysfs: whole_matrix %d", on ? 1 : 0);
    }
}
