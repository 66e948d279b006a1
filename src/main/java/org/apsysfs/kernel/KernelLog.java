package org.apsysfs.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated kernel ring buffer ({@code dmesg}). Every line is also written through SLF4J
 * (logger {@code kernel}). Lines carry printk-style timestamps from the injected clock.
 */
public final class KernelLog {
    /** printk levels, as in include/linux/kern_levels.h. */
    public enum Level { EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG }

    private static final Logger LOG = LoggerFactory.getLogger("kernel");
    private static final int CAPACITY = 20_000;

    private final Clock clock;
    private final Logger out;
    private final ArrayDeque<String> ring = new ArrayDeque<>();
    private long sequence;

    public KernelLog(Clock clock) {
        this.clock = clock;
        this.out = LOG;
    }

    /**
     * A log whose lines reach the daemon's log under {@code logger} instead of "kernel" (a
     * guest's kernel: "guest-NAME"), so both kernels' lines can be told apart there.
     */
    public KernelLog(Clock clock, String logger) {
        this.clock = clock;
        this.out = LoggerFactory.getLogger(logger);
    }

    public void log(Level level, String line) {
        long ns = clock.nanoTime();
        String stamped = String.format("[%5d.%06d] %s", ns / 1_000_000_000L, (ns / 1000L) % 1_000_000L, line);
        synchronized (ring) {
            if (ring.size() == CAPACITY) {
                ring.removeFirst();
            }
            ring.addLast(stamped);
            sequence++;
        }
        switch (level) {
            case EMERG, ALERT, CRIT, ERR -> out.error(line);
            case WARNING -> out.warn(line);
            case NOTICE, INFO -> out.info(line);
            default -> out.debug(line);
        }
    }

    public void info(String format, Object... args) {
        log(Level.INFO, args.length == 0 ? format : String.format(format, args));
    }

    public void notice(String format, Object... args) {
        log(Level.NOTICE, args.length == 0 ? format : String.format(format, args));
    }

    public void warn(String format, Object... args) {
        log(Level.WARNING, args.length == 0 ? format : String.format(format, args));
    }

    public void err(String format, Object... args) {
        log(Level.ERR, args.length == 0 ? format : String.format(format, args));
    }

    /** The kernel's WARN(): a warning line plus the "------------[ cut here ]" marker. */
    public void warnOn(String format, Object... args) {
        log(Level.WARNING, "------------[ cut here ]------------");
        log(Level.WARNING, args.length == 0 ? format : String.format(format, args));
    }

    /** All lines currently in the ring buffer, oldest first. */
    public List<String> lines() {
        synchronized (ring) {
            return new ArrayList<>(ring);
        }
    }

    /** The dmesg text: every line followed by a newline. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines()) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** Number of lines ever logged (also those that fell out of the ring). */
    public long sequence() {
        synchronized (ring) {
            return sequence;
        }
    }

    public void clear() {
        synchronized (ring) {
            ring.clear();
        }
    }
}
