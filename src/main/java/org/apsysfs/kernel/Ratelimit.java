package org.apsysfs.kernel;

/**
 * One call site's {@code struct ratelimit_state} (include/linux/ratelimit_types.h) on the
 * simulated clock, with the defaults the {@code pr_*_ratelimited} macros of
 * include/linux/printk.h give it: {@code DEFAULT_RATELIMIT_INTERVAL} (5 s) and
 * {@code DEFAULT_RATELIMIT_BURST} (10). {@link #allow} follows {@code ___ratelimit} in
 * lib/ratelimit.c: the first call starts an interval; once an interval has passed, a new one
 * starts and, if calls were suppressed, {@code ratelimit_end_interval} logs
 * "FUNC: N callbacks suppressed" at KERN_WARNING; within an interval the first {@code burst}
 * calls pass and the rest are counted as missed.
 */
public final class Ratelimit {
    /** {@code DEFAULT_RATELIMIT_INTERVAL} = 5 * HZ, in nanoseconds. */
    public static final long DEFAULT_INTERVAL_NS = 5_000_000_000L;
    /** {@code DEFAULT_RATELIMIT_BURST}. */
    public static final int DEFAULT_BURST = 10;

    private final String func;
    private final long intervalNs;
    private final int burst;
    private boolean started;
    private long begin;
    private int printed;
    private int missed;

    /** A call site in function {@code func} with the default interval and burst. */
    public Ratelimit(String func) {
        this(func, DEFAULT_INTERVAL_NS, DEFAULT_BURST);
    }

    public Ratelimit(String func, long intervalNs, int burst) {
        this.func = func;
        this.intervalNs = intervalNs;
        this.burst = burst;
    }

    /** {@code __ratelimit(&rs)}: true if the caller may print. */
    public synchronized boolean allow(Clock clock, KernelLog log) {
        if (intervalNs <= 0) {
            return true;
        }
        long now = clock.nanoTime();
        if (!started) {
            started = true;
            begin = now;
        }
        // time_is_before_jiffies(rs->begin + interval): the interval has passed
        if (now - begin > intervalNs) {
            begin = now;
            if (missed > 0) {
                log.warn("%s: %d callbacks suppressed", func, missed);
                missed = 0;
            }
            printed = 0;
        }
        if (burst > printed) {
            printed++;
            return true;
        }
        missed++;
        return false;
    }
}
