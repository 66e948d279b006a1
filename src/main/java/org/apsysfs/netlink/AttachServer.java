package org.apsysfs.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of attaching: a UNIX stream socket (mode 0600) where a helper inside a
 * private network namespace hands over a {@code NETLINK_KOBJECT_UEVENT} socket
 * ({@code SCM_RIGHTS}, with a one-line label). The daemon checks that it is one and that it
 * is not of the daemon's own network namespace, replies {@code ok net:[INODE]} or
 * {@code error: WHY}, and multicasts into that namespace until the helper's connection
 * closes. One thread accepts; one per connection waits for its end.
 */
public final class AttachServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttachServer.class);

    private final Path path;
    private final UeventNetlink netlink;
    private final int listenFd;
    private volatile boolean closed;

    private AttachServer(Path path, UeventNetlink netlink, int listenFd) {
        this.path = path;
        this.netlink = netlink;
        this.listenFd = listenFd;
    }

    /**
     * Listens at {@code path} (a stale socket file there is replaced) for sinks of a new
     * {@link UeventNetlink} ({@link #netlink}); the caller makes it the listener of the kernels
     * it serves ({@link UeventNetlink#adopt}).
     *
     * @throws IOException if the socket cannot be made
     */
    public static AttachServer start(Path path) throws IOException {
        UeventNetlink netlink = new UeventNetlink();
        Libc c = Libc.get();
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path) && !Files.isDirectory(path)) {
            Files.delete(path);
        }
        int fd = c.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): " + Libc.lastError());
        }
        if (c.bind(fd, Sockets.unixAddress(path), Sockets.addressLength(path)) < 0 || c.listen(fd, 8) < 0) {
            String e = Libc.lastError();
            c.close(fd);
            throw new IOException(path + ": " + e);
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        AttachServer s = new AttachServer(path, netlink, fd);
        netlink.socketPath(path);
        Thread t = new Thread(s::acceptLoop, "netlink-attach");
        t.setDaemon(true);
        t.start();
        return s;
    }

    public Path path() {
        return path;
    }

    /** The namespaces uevents go to. */
    public UeventNetlink netlink() {
        return netlink;
    }

    private void acceptLoop() {
        Libc c = Libc.get();
        while (!closed) {
            int conn = c.accept4(listenFd, null, null, Libc.SOCK_CLOEXEC);
            if (conn < 0) {
                int e = Libc.errno();
                if (closed) {
                    return;
                }
                if (e == Libc.EINTR || e == Libc.EAGAIN) {
                    continue;
                }
                LOG.warn("netlink attach socket {}: accept failed: {}", path, Libc.lastError());
                return;
            }
            Thread t = new Thread(() -> serve(conn), "netlink-attach-" + conn);
            t.setDaemon(true);
            t.start();
        }
    }

    /** One helper: take its socket, check it, then wait for the connection to end. */
    private void serve(int conn) {
        Libc c = Libc.get();
        UeventNetlink.Sink sink = null;
        try {
            Sockets.Received r = Sockets.receiveWithFd(conn);
            String label = r.data().strip();
            String refusal = check(r.fd());
            if (refusal != null) {
                if (r.fd() >= 0) {
                    c.close(r.fd());
                }
                reply(conn, "error: " + refusal);
                LOG.warn("netlink attach ({}): refused: {}", label, refusal);
                return;
            }
            String ns = Sockets.netnsOf(r.fd());
            sink = netlink.attach(r.fd(), ns, label.isEmpty() ? "unnamed" : label);
            reply(conn, "ok " + ns);
            Sockets.Attached a = new Sockets.Attached(conn, "");
            a.awaitClose();
            netlink.detach(sink, "the helper's connection closed");
            sink = null;
        } catch (IOException e) {
            LOG.warn("netlink attach: {}", e.getMessage());
        } finally {
            if (sink != null) {
                netlink.detach(sink, "the helper's connection failed");
            }
            c.close(conn);
        }
    }

    /** Why {@code fd} cannot be a sink, or null. */
    private static String check(int fd) {
        if (fd < 0) {
            return "no socket was passed (SCM_RIGHTS)";
        }
        if (Sockets.intOption(fd, Libc.SOL_SOCKET, Libc.SO_DOMAIN) != Libc.AF_NETLINK
                || Sockets.intOption(fd, Libc.SOL_SOCKET, Libc.SO_PROTOCOL) != Libc.NETLINK_KOBJECT_UEVENT) {
            return "the passed descriptor is not a NETLINK_KOBJECT_UEVENT socket";
        }
        String ns;
        try {
            ns = Sockets.netnsOf(fd);
        } catch (IOException e) {
            return "cannot tell the socket's network namespace (" + e.getMessage() + ")";
        }
        try {
            if (ns.equals(Sockets.ownNetns())) {
                return "the socket is of the daemon's own network namespace " + ns
                        + "; uevents go only into a private one (scripts/apsysfs shell makes one)";
            }
        } catch (IOException e) {
            return "cannot read /proc/self/ns/net: " + e.getMessage();
        }
        return null;
    }

    private static void reply(int conn, String line) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        Libc.get().write(conn, b, b.length);
    }

    /** Stops accepting, detaches every sink and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        Libc c = Libc.get();
        c.shutdown(listenFd, Libc.SHUT_RDWR);
        c.close(listenFd);
        netlink.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", path, e.getMessage());
        }
    }
}
