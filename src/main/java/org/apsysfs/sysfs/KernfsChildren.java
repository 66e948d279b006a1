package org.apsysfs.sysfs;

import java.util.List;

/**
 * A directory's subdirectories and links, the container behind a {@link KernfsDir} (kernfs
 * keeps them in an rbtree, {@code kernfs_link_sibling}/{@code kernfs_find_ns} in
 * fs/kernfs/dir.c): one array sorted by name. A removed child stays in its slot, inactive (a
 * tombstone), until enough are removed to compact, so removing the children of a huge
 * directory in order costs no copying; an inactive slot is taken again by the next child of
 * that name.
 *
 * <p>Not thread-safe: the owning directory guards it with the tree's {@code kernfs_rwsem}
 * (readers under the read lock, {@link #put}/{@link #drop}/{@link #clear} under the write
 * lock).
 */
final class KernfsChildren {
    private static final KernfsNode[] NONE = new KernfsNode[0];

    /** Sorted by name; slots {@code [0, slots)} are used, removed ones are inactive. */
    private KernfsNode[] kids = NONE;
    private int slots;
    /** Inactive (removed) children still in {@link #kids}. */
    private int tombs;
    /** The slot after the child added or removed last: where the next name most likely goes. */
    private int hint;
    /**
     * The slot of the child looked up last (written by readers under the read lock: a racy hint,
     * checked before use; any int is safe).
     */
    private int lookupHint;

    /** Whether a child is still in the tree (a removed directory or link is not). */
    static boolean isActive(KernfsNode n) {
        return n instanceof KernfsDir d ? d.active : n instanceof KernfsLink l && l.active;
    }

    /** The number of active children. */
    int count() {
        return slots - tombs;
    }

    /** The number of slots, active or not: {@link #slot} takes {@code [0, slots())}. */
    int slots() {
        return slots;
    }

    /** The child in slot {@code i} (active or not). */
    KernfsNode slot(int i) {
        return kids[i];
    }

    /** The active child called {@code name}, or null. */
    KernfsNode active(String name) {
        int i = find(name);
        if (i < 0) {
            return null;
        }
        KernfsNode n = kids[i];
        return isActive(n) ? n : null;
    }

    /** The active child named {@code path[from, to)}, or null; makes no string. */
    KernfsNode active(String path, int from, int to) {
        int i = find(path, from, to);
        if (i < 0) {
            return null;
        }
        KernfsNode n = kids[i];
        return isActive(n) ? n : null;
    }

    /** Adds the names of the active children to {@code out}, in name order. */
    void addNames(List<String> out) {
        for (int i = 0; i < slots; i++) {
            KernfsNode n = kids[i];
            if (isActive(n)) {
                out.add(n.name);
            }
        }
    }

    /** Index of the slot named {@code name} (active or not), or -(insertion point) - 1. */
    int find(String name) {
        int lo = 0;
        int hi = slots - 1;
        KernfsNode[] k = kids;
        if (hi >= 0) {
            // names mostly come in order (a bus scan, a driver binding or unbinding a range of
            // devices): try the end, then the slot after the last one added or removed
            int c = k[hi].name.compareTo(name);
            if (c < 0) {
                return -(hi + 2);
            } else if (c == 0) {
                return hi;
            }
            int h = hint;
            if (h > 0 && h <= hi) {
                int c1 = k[h - 1].name.compareTo(name);
                if (c1 == 0) {
                    return h - 1;
                }
                if (c1 < 0) {
                    // k[hi] is known to be greater
                    int c2 = h == hi ? 1 : k[h].name.compareTo(name);
                    if (c2 == 0) {
                        return h;
                    }
                    if (c2 > 0) {
                        return -(h + 1);
                    }
                    lo = h + 1;
                } else {
                    hi = h - 2;
                }
            } else {
                hi--;
            }
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = k[mid].name.compareTo(name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** {@link #find} for the name {@code path[from, to)}, without making a string. */
    private int find(String path, int from, int to) {
        int lo = 0;
        int hi = slots - 1;
        KernfsNode[] k = kids;
        // a directory listing is looked up name after name: try the slot after the last one found
        int h = lookupHint + 1;
        if (h <= hi && compareRegion(k[h].name, path, from, to) == 0) {
            lookupHint = h;
            return h;
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareRegion(k[mid].name, path, from, to);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                lookupHint = mid;
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** {@code a.compareTo(path.substring(from, to))}. */
    private static int compareRegion(String a, String path, int from, int to) {
        int la = a.length();
        int lb = to - from;
        int n = Math.min(la, lb);
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = path.charAt(from + i);
            if (ca != cb) {
                return ca - cb;
            }
        }
        return la - lb;
    }

    /**
     * Adds a child at {@code i}, what {@link #find} answered for its name (which is free: no
     * slot, or an inactive one).
     */
    void put(int i, KernfsNode n) {
        if (i >= 0) {
            // an inactive (removed) child of that name: take its slot
            kids[i] = n;
            tombs--;
            hint = i + 1;
            return;
        }
        int at = -(i + 1);
        if (slots == kids.length) {
            KernfsNode[] grown = new KernfsNode[slots == 0 ? 4 : slots < 64 ? slots * 2 : slots + (slots >> 1)];
            System.arraycopy(kids, 0, grown, 0, at);
            System.arraycopy(kids, at, grown, at + 1, slots - at);
            kids = grown;
        } else {
            System.arraycopy(kids, at, kids, at + 1, slots - at);
        }
        kids[at] = n;
        slots++;
        hint = at + 1;
    }

    /** Marks slot {@code i}, whose child was just deactivated, as removed. */
    void drop(int i) {
        tombs++;
        hint = i + 1;
        if (i == slots - 1) {
            kids[--slots] = null;
            tombs--;
        }
        if (tombs > 8 && tombs * 2 > slots) {
            compact();
        }
    }

    /** Forgets every child. */
    void clear() {
        kids = NONE;
        slots = 0;
        tombs = 0;
        hint = 0;
    }

    private void compact() {
        int j = 0;
        for (int i = 0; i < slots; i++) {
            if (isActive(kids[i])) {
                kids[j++] = kids[i];
            }
        }
        for (int i = j; i < slots; i++) {
            kids[i] = null;
        }
        slots = j;
        tombs = 0;
        hint = 0;
        if (kids.length > 16 && j < kids.length / 4) {
            KernfsNode[] k = new KernfsNode[Math.max(4, j * 2)];
            System.arraycopy(kids, 0, k, 0, j);
            kids = k;
        }
    }
}
