package org.apsysfs.kernel;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; for tests and deterministic simulations. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos = new AtomicLong();
    private final long wallBase;

    public ManualClock() {
        this(1_700_000_000_000L);
    }

    public ManualClock(long wallBaseMillis) {
        this.wallBase = wallBaseMillis;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long wallMillis() {
        return wallBase + nanos.get() / 1_000_000L;
    }

    /** Sleeping on a manual clock advances it (simulated time passes instantly). */
    @Override
    public void sleepMillis(long millis) {
        advanceMillis(millis);
    }

    public void advanceMillis(long ms) {
        nanos.addAndGet(ms * 1_000_000L);
    }

    public void advanceNanos(long ns) {
        nanos.addAndGet(ns);
    }
}
