package org.apsysfs.locking;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock class in lockdep's sense: all locks initialised at the same place share one class
 * (e.g. every guest's {@code kvm->lock}). Ordering rules are checked between classes. The
 * daemon's classes carry their {@link LockRank} (their place in the hierarchy); classes made
 * by name alone (a test's own) have none.
 */
public final class LockClass {
    private static final ConcurrentHashMap<String, LockClass> CLASSES = new ConcurrentHashMap<>();

    private final String name;
    private final LockRank rank;
    /** The validator's key of this class without a nesting subclass (made once). */
    private final Lockdep.Key key0;

    private LockClass(String name, LockRank rank) {
        this.name = name;
        this.rank = rank;
        this.key0 = new Lockdep.Key(this, 0);
    }

    Lockdep.Key key0() {
        return key0;
    }

    /** The class with this name (created on first use, without a rank unless it is a {@link LockRank}'s). */
    public static LockClass of(String name) {
        LockRank.values(); // the ranked classes exist before any class is made by name
        return CLASSES.computeIfAbsent(name, n -> new LockClass(n, null));
    }

    /**
     * A class of its own that sits at {@code rank}'s place in the hierarchy (for the
     * validator's own tests: the hierarchy's classes keep their graph clean).
     *
     * @throws IllegalStateException if a class of that name exists with another rank
     */
    public static LockClass withRank(String name, LockRank rank) {
        LockRank.values();
        LockClass c = CLASSES.computeIfAbsent(name, n -> new LockClass(n, rank));
        if (c.rank != rank) {
            throw new IllegalStateException("lock class " + name + " exists with rank " + c.rank);
        }
        return c;
    }

    /** Made once per {@link LockRank}, by its constructor. */
    static LockClass ranked(String name, LockRank rank) {
        LockClass c = new LockClass(name, rank);
        if (CLASSES.putIfAbsent(name, c) != null) {
            throw new IllegalStateException("lock class " + name + " made before its rank");
        }
        return c;
    }

    public String name() {
        return name;
    }

    /** The place in the hierarchy, or null for a class outside it. */
    public LockRank rank() {
        return rank;
    }

    @Override
    public String toString() {
        return name;
    }
}
