package org.apsysfs.locking;

/** A held lock; closing it releases the lock. Use in try-with-resources. */
@FunctionalInterface
public interface Guard extends AutoCloseable {
    @Override
    void close();

    /** A guard that holds nothing (for "lock only if attached" paths). */
    Guard NONE = () -> { };
}
