package org.apsysfs.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every uevent the simulated kernel sends, in order, as {@code udevadm monitor --kernel
 * --property} would show them. Bounded: the oldest events fall out.
 */
public final class Uevents {
    /**
     * One event: action, devpath (below /sys) and its environment. The devpath may be given as
     * a supplier (a device's directory, whose path never changes), made into a string only
     * when the event is read: most events of a big machine's boot fall out of the ring unread.
     */
    public static final class Event {
        private final long seqnum;
        private final String action;
        /** A String, or a Supplier of it. */
        private final Object devpath;
        private final String subsystem;
        private final List<String> env;

        Event(long seqnum, String action, Object devpath, String subsystem, List<String> env) {
            this.seqnum = seqnum;
            this.action = action;
            this.devpath = devpath;
            this.subsystem = subsystem;
            this.env = env;
        }

        public long seqnum() {
            return seqnum;
        }

        public String action() {
            return action;
        }

        @SuppressWarnings("unchecked")
        public String devpath() {
            return devpath instanceof String s ? s : ((Supplier<String>) devpath).get();
        }

        public String subsystem() {
            return subsystem;
        }

        public List<String> env() {
            return env;
        }

        public String format() {
            String path = devpath();
            StringBuilder sb = new StringBuilder();
            sb.append("KERNEL[").append(seqnum).append("] ").append(action).append(' ')
                    .append(path).append(" (").append(subsystem == null ? "" : subsystem).append(")\n");
            sb.append("ACTION=").append(action).append('\n');
            sb.append("DEVPATH=").append(path).append('\n');
            if (subsystem != null) {
                sb.append("SUBSYSTEM=").append(subsystem).append('\n');
            }
            for (String e : env) {
                sb.append(e).append('\n');
            }
            sb.append("SEQNUM=").append(seqnum).append('\n');
            return sb.toString();
        }

        @Override
        public String toString() {
            return "Event[seqnum=" + seqnum + ", action=" + action + ", devpath=" + devpath() + ", subsystem="
                    + subsystem + ", env=" + env + "]";
        }
    }

    /**
     * Receives every event as it is sent, in order, while the sender still holds this object's
     * lock (the netlink broadcast of {@code kobject_uevent_net_broadcast}). It must not call
     * back into the simulated kernel.
     */
    public interface Listener {
        void sent(Event e);
    }

    private static final int CAPACITY = 20_000;
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    private long seqnum;
    private Listener listener;

    /** Records an event; env entries are "KEY=value" strings. */
    public Event send(String action, String devpath, String subsystem, List<String> env) {
        return add(action, devpath, subsystem, env);
    }

    /** Records an event whose devpath is made only when the event is read. */
    public Event send(String action, Supplier<String> devpath, String subsystem, List<String> env) {
        return add(action, devpath, subsystem, env);
    }

    private synchronized Event add(String action, Object devpath, String subsystem, List<String> env) {
        Event e = new Event(++seqnum, action, devpath, subsystem, List.copyOf(env));
        if (ring.size() == CAPACITY) {
            ring.removeFirst();
        }
        ring.addLast(e);
        if (listener != null) {
            listener.sent(e);
        }
        return e;
    }

    /**
     * Sets the listener (null: none). With {@code replay} the events still kept are first
     * handed to it, oldest first, so that it sees the same sequence the ring holds; returns
     * the number of events sent before them that were no longer kept.
     */
    public synchronized long listen(Listener l, boolean replay) {
        long lost = 0;
        if (replay && l != null) {
            lost = ring.isEmpty() ? seqnum : ring.getFirst().seqnum - 1;
            for (Event e : ring) {
                l.sent(e);
            }
        }
        listener = l;
        return lost;
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
