package org.apsysfs.netlink;

import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Uevents;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * The network namespaces a mount's uevents are multicast into, one {@link Sink} per attached
 * {@code NETLINK_KOBJECT_UEVENT} socket. It outlives the simulated kernels of a mount (a
 * reboot or a loaded state boots a new one): {@link #adopt} makes it the listener of each.
 * Shows itself in {@code kernel/debug/apsysfs/netlink}.
 */
public final class UeventNetlink implements Uevents.Listener {
    private static final AttributeGroup<UeventNetlink> ATTRS = AttributeGroup.of(
            Attribute.ro("netlink", UeventNetlink::show));

    /** One attached socket: where it sends, and how much it sent. */
    public static final class Sink {
        private final int fd;
        private final String netns;
        private final String label;
        private final long sinceSeqnum;
        private long sent;
        private boolean closed;

        Sink(int fd, String netns, String label, long sinceSeqnum) {
            this.fd = fd;
            this.netns = netns;
            this.label = label;
            this.sinceSeqnum = sinceSeqnum;
        }

        public String netns() {
            return netns;
        }

        /** Sends one message; null if sent, else why not. */
        synchronized String send(byte[] m) {
            if (closed) {
                return null;
            }
            while (true) {
                long n = Libc.get().write(fd, m, m.length);
                if (n == m.length) {
                    sent++;
                    return null;
                }
                if (n < 0 && Libc.errno() == Libc.EINTR) {
                    continue;
                }
                return n < 0 ? Libc.lastError() : "short write (" + n + " of " + m.length + " bytes)";
            }
        }

        synchronized void close() {
            if (!closed) {
                closed = true;
                Libc.get().close(fd);
            }
        }

        synchronized String line() {
            return netns + " sent " + sent + " since " + sinceSeqnum + " " + label;
        }
    }

    private final CopyOnWriteArrayList<Sink> sinks = new CopyOnWriteArrayList<>();
    private volatile Kernel kernel;
    private volatile Path socket;

    /**
     * Makes this the uevent listener of {@code k} (and stops listening to the kernel before).
     * With {@code replay} (a kernel that booted after sockets were attached: a reboot) the
     * events of its boot still kept are multicast first, so listeners see the boot as it
     * happened.
     */
    public void adopt(Kernel k, boolean replay) {
        Kernel old = kernel;
        if (old != null && old != k) {
            old.uevents().listen(null, false);
        }
        kernel = k;
        k.controlDir().addGroup(ATTRS, this);
        long lost = k.uevents().listen(this, replay && !sinks.isEmpty());
        if (lost > 0) {
            k.log().warn("apsysfs: netlink: %d uevents of the boot were no longer kept and were not sent "
                    + "(run udevadm trigger to replay the devices' add events)", lost);
        }
    }

    /** Where the daemon accepts sockets ({@link AttachServer}); shown in the control file. */
    public void socketPath(Path p) {
        socket = p;
    }

    @Override
    public void sent(Uevents.Event e) {
        if (sinks.isEmpty()) {
            return;
        }
        byte[] m = UeventWire.message(e);
        for (Sink s : sinks) {
            String why = s.send(m);
            if (why != null) {
                detach(s, "sending uevent " + e.seqnum() + " failed: " + why);
            }
        }
    }

    /** Starts multicasting into the namespace of {@code fd}; the sink owns {@code fd} now. */
    Sink attach(int fd, String netns, String label) {
        Kernel k = kernel;
        Sink s = new Sink(fd, netns, label, k == null ? 0 : k.uevents().lastSeqnum() + 1);
        sinks.add(s);
        if (k != null) {
            k.log().info("apsysfs: netlink: uevents go to %s (%s)", netns, label);
        }
        return s;
    }

    /** Stops multicasting into {@code s}'s namespace and closes its socket. */
    void detach(Sink s, String why) {
        if (sinks.remove(s)) {
            Kernel k = kernel;
            if (k != null) {
                k.log().info("apsysfs: netlink: no more uevents to %s (%s): %s", s.netns, s.label, why);
            }
        }
        s.close();
    }

    /** Detaches every sink (the daemon stops). */
    public void close() {
        for (Sink s : sinks) {
            detach(s, "the daemon stops");
        }
    }

    /** The attached namespaces, oldest first. */
    public java.util.List<Sink> sinks() {
        return java.util.List.copyOf(sinks);
    }

    private String show() {
        StringBuilder sb = new StringBuilder();
        Path p = socket;
        sb.append("socket ").append(p == null ? "-" : p.toString()).append('\n');
        for (Sink s : sinks) {
            sb.append(s.line()).append('\n');
        }
        return sb.toString();
    }
}
