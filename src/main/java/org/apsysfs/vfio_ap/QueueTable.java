package org.apsysfs.vfio_ap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Apqn;

/**
 * The queues linked to an mdev ({@code matrix_mdev->qtable}), by APQN. Lookups go through a
 * table per adapter (the filter asks about every APQN of the matrix, up to 65,536 of them, on
 * each assignment); walks go through a hash map, whose order the resets of all linked queues
 * follow.
 *
 * <p>Locking: guarded by {@code matrix_dev->mdevs_lock}, like the rest of the mdev.
 */
final class QueueTable {
    private final Map<Integer, VfioApQueue> byApqn = new HashMap<>();
    /** [apid][apqi]; a row is made with the adapter's first queue. */
    private final VfioApQueue[][] rows = new VfioApQueue[256][];
    /**
     * [apid]: the domains whose queue is linked and passable ({@link VfioApQueue#passable()}),
     * as the four words of an {@link ApMask}; what the filter asks about a whole adapter.
     */
    private final long[][] passable = new long[256][];

    VfioApQueue get(int apqn) {
        if ((apqn & ~0xffff) != 0) {
            return null;
        }
        VfioApQueue[] row = rows[Apqn.apid(apqn)];
        return row == null ? null : row[Apqn.apqi(apqn)];
    }

    void put(int apqn, VfioApQueue q) {
        VfioApQueue[] row = rows[Apqn.apid(apqn)];
        if (row == null) {
            row = new VfioApQueue[256];
            rows[Apqn.apid(apqn)] = row;
        }
        row[Apqn.apqi(apqn)] = q;
        byApqn.put(apqn, q);
        setPassable(apqn, q.passable());
    }

    void remove(int apqn) {
        VfioApQueue[] row = rows[Apqn.apid(apqn)];
        if (row != null) {
            row[Apqn.apqi(apqn)] = null;
        }
        byApqn.remove(apqn);
        setPassable(apqn, false);
    }

    /** A linked queue's reset status changed: whether it is passable now. */
    void statusChanged(VfioApQueue q) {
        if (get(q.apqn) == q) {
            setPassable(q.apqn, q.passable());
        }
    }

    private void setPassable(int apqn, boolean on) {
        int apid = Apqn.apid(apqn);
        int apqi = Apqn.apqi(apqn);
        long[] w = passable[apid];
        if (w == null) {
            if (!on) {
                return;
            }
            w = new long[4];
            passable[apid] = w;
        }
        long bit = 1L << (63 - (apqi & 63));
        if (on) {
            w[apqi >>> 6] |= bit;
        } else {
            w[apqi >>> 6] &= ~bit;
        }
    }

    /** True if every domain of {@code aqm} has a linked, passable queue on adapter {@code apid}. */
    boolean allPassable(int apid, ApMask aqm) {
        long[] w = passable[apid];
        if (w == null) {
            return aqm.isEmpty();
        }
        for (int i = 0; i < 4; i++) {
            if ((aqm.word(i) & ~w[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The linked queues, in the hash map's order. */
    List<VfioApQueue> values() {
        return new ArrayList<>(byApqn.values());
    }
}
