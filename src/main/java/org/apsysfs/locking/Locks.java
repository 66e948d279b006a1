package org.apsysfs.locking;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes several locks in the given order and releases them in reverse. The order must be the
 * hierarchy's ({@link LockRank}): ranks strictly ascending.
 */
public final class Locks {
    private Locks() {
    }

    /**
     * Locks each mutex in order (nulls are skipped); the guard releases them in reverse.
     *
     * @throws IllegalArgumentException (before taking any) if two ranked mutexes are not in
     *     ascending rank
     */
    public static Guard inOrder(KMutex... mutexes) {
        LockRank last = null;
        KMutex lastMutex = null;
        for (KMutex m : mutexes) {
            LockRank r = m == null ? null : m.lockClass().rank();
            if (r == null) {
                continue;
            }
            if (last != null && r.compareTo(last) <= 0) {
                throw new IllegalArgumentException("Locks.inOrder: " + m + " (" + r + ") after " + lastMutex + " (" + last
                        + ") is against the lock hierarchy (LockRank)");
            }
            last = r;
            lastMutex = m;
        }
        List<Guard> taken = new ArrayList<>(mutexes.length);
        try {
            for (KMutex m : mutexes) {
                if (m != null) {
                    taken.add(m.lock());
                }
            }
        } catch (RuntimeException e) {
            release(taken);
            throw e;
        }
        return () -> release(taken);
    }

    /** Combines guards taken by the caller in order into one that releases them in reverse. */
    public static Guard all(Guard... guards) {
        List<Guard> l = List.of(guards);
        return () -> release(l);
    }

    private static void release(List<Guard> taken) {
        for (int i = taken.size() - 1; i >= 0; i--) {
            taken.get(i).close();
        }
    }
}
