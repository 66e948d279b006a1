package org.apsysfs.kernel;

/**
 * The simulated machine's time source (the kernel's {@code ktime_get()} / jiffies).
 * Injected everywhere time matters so tests can control it.
 */
public interface Clock {
    /** Monotonic nanoseconds since the simulated boot. */
    long nanoTime();

    /** Wall-clock time in milliseconds since the epoch (for file times). */
    long wallMillis();

    /** The real clock: monotonic time since this object was made. */
    static Clock system() {
        return new Clock() {
            private final long boot = System.nanoTime();

            @Override
            public long nanoTime() {
                return System.nanoTime() - boot;
            }

            @Override
            public long wallMillis() {
                return System.currentTimeMillis();
            }
        };
    }
}
