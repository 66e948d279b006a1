package org.apsysfs.locking;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock class in lockdep's sense: all locks initialised at the same place share one class
 * (e.g. every guest's {@code kvm->lock}). Ordering rules are checked between classes.
 */
public final class LockClass {
    private static final ConcurrentHashMap<String, LockClass> CLASSES = new ConcurrentHashMap<>();

    private final String name;

    private LockClass(String name) {
        this.name = name;
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
