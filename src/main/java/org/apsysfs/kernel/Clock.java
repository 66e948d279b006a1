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

    /**
     * {@code msleep}: waits this long in the clock's time. The real clock sleeps; a manual
     * clock just moves on, so simulated waits cost no real time in tests.
     */
    default void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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
