package org.apsysfs.mdev;

/** Test access to the mdev core's package-private state. */
public final class MdevTestAccess {
    private MdevTestAccess() {
    }

    /** Adds {@code delta} to the parent's available instances (negative to take). */
    public static void add(MdevParent parent, int delta) {
        parent.instances().addAndGet(delta);
    }
}
