package org.apsysfs.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every uevent the simulated kernel sends, in order, as {@code udevadm monitor --kernel
 * --property} would show them. Bounded: the oldest events fall out.
 */
public final class Uevents {
    /** One event: action, devpath (below /sys) and its environment. */
    public record Event(long seqnum, String action, String devpath, String subsystem, List<String> env) {
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append("KERNEL[").append(seqnum).append("] ").append(action).append(' ')
                    .append(devpath).append(" (").append(subsystem == null ? "" : subsystem).append(")\n");
            sb.append("ACTION=").append(action).append('\n');
            sb.append("DEVPATH=").append(devpath).append('\n');
            if (subsystem != null) {
                sb.append("SUBSYSTEM=").append(subsystem).append('\n');
            }
            for (String e : env) {
                sb.append(e).append('\n');
            }
            sb.append("SEQNUM=").append(seqnum).append('\n');
            return sb.toString();
        }
    }

    private static final int CAPACITY = 20_000;
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    private long seqnum;

    /** Records an event; env entries are "KEY=value" strings. */
    public synchronized Event send(String action, String devpath, String subsystem, List<String> env) {
        Event e = new Event(++seqnum, action, devpath, subsystem, List.copyOf(env));
        if (ring.size() == CAPACITY) {
            ring.removeFirst();
        }
        ring.addLast(e);
        return e;
    }

    public Event send(String action, String devpath, String subsystem, Map<String, String> env) {
        List<String> l = new ArrayList<>();
        env.forEach((k, v) -> l.add(k + "=" + v));
        return send(action, devpath, subsystem, l);
    }

    public synchronized List<Event> events() {
        return new ArrayList<>(ring);
    }

    /** All events, blank-line separated, oldest first. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Event e : events()) {
            sb.append(e.format()).append('\n');
        }
        return sb.toString();
    }

    public synchronized long lastSeqnum() {
        return seqnum;
    }
}
