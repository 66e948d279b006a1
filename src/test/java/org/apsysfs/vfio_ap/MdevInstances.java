package org.apsysfs.vfio_ap;

import org.apsysfs.mdev.MdevParent;

/** Takes instances from a parent's counter, as if that many mdevs existed (cheap exhaustion). */
final class MdevInstances {
    private MdevInstances() {
    }

    static void take(MdevParent parent, int n) {
        org.apsysfs.mdev.MdevTestAccess.add(parent, -n);
    }

    static void give(MdevParent parent, int n) {
        org.apsysfs.mdev.MdevTestAccess.add(parent, n);
    }
}
