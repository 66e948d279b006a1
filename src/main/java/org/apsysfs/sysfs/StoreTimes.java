package org.apsysfs.sysfs;

import org.apsysfs.kernel.Errno;

/**
 * How long the most recent stores took inside the daemon: from the call of the attribute's
 * store (with the written bytes already decoded and the open file's write mutex held) until it
 * returned or failed, the store hook (saving the state) and the refusal's log line included.
 * The FUSE round trip, the copy of the
 * written bytes and waiting for the open file's mutex are not part of it. Measured with
 * {@link System#nanoTime()} (real time, whatever the simulated clock does); two clock reads and
 * one slot of a ring per store.
 *
 * <p>The control file {@code kernel/debug/apsysfs/store_times} shows it: one line per store,
 * oldest first, {@code SEQ MICROSECONDS RESULT PATH}, e.g.
 * {@code 17 48.2 0 /devices/vfio_ap/matrix/<uuid>/assign_domain} or
 * {@code 18 12.9 EINVAL /bus/ap/apmask}.
 */
public final class StoreTimes {
    /** How many stores are kept. */
    public static final int CAPACITY = 256;

    private final KernfsAttr[] attrs = new KernfsAttr[CAPACITY];
    private final long[] nanos = new long[CAPACITY];
    private final Errno[] results = new Errno[CAPACITY];
    /** Stores recorded so far; the newest is number {@code count}. Guarded by this. */
    private long count;

    /** Records one store; {@code result} null for success. */
    synchronized void record(KernfsAttr attr, long durationNanos, Errno result) {
        int i = (int) (count % CAPACITY);
        attrs[i] = attr;
        nanos[i] = durationNanos;
        results[i] = result;
        count++;
    }

    /** The number of stores recorded since boot. */
    public synchronized long count() {
        return count;
    }

    /** The file's text: the kept stores, oldest first. */
    public String text() {
        KernfsAttr[] a;
        long[] ns;
        Errno[] r;
        long n;
        synchronized (this) {
            a = attrs.clone();
            ns = nanos.clone();
            r = results.clone();
            n = count;
        }
        StringBuilder sb = new StringBuilder();
        for (long seq = Math.max(1, n - CAPACITY + 1); seq <= n; seq++) {
            int i = (int) ((seq - 1) % CAPACITY);
            long t = ns[i];
            sb.append(seq).append(' ').append(t / 1000).append('.').append((t / 100) % 10).append(' ')
                    .append(r[i] == null ? "0" : r[i].name()).append(' ').append(a[i].path()).append('\n');
        }
        return sb.toString();
    }
}
