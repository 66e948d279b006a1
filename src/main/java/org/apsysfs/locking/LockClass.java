package org.apsysfs.locking;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock class in lockdep's sense: all locks initialised at the same place share one class
 * (e.g. every guest's {@code kvm->lock}). Ordering rules are checked between classes.
 */
public final class LockClass {
    private static final ConcurrentHashMap<String, LockClass> CLASSES = new ConcurrentHashMap<>();

    private final String name;
    /** The validator's key of this class without a nesting subclass (made once). */
    private final Lockdep.Key key0;

    private LockClass(String name) {
        this.name = name;
        this.key0 = new Lockdep.Key(this, 0);
    }

    Lockdep.Key key0() {
        return key0;
    }

    /** The class with this name (created on first use). */
    public static LockClass of(String name) {
        return CLASSES.computeIfAbsent(name, LockClass::new);
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
