package org.apsysfs.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Socket helpers over {@link Libc}: UNIX addresses, descriptor passing, socket identity. */
public final class Sockets {
    private Sockets() {
    }

    private static Runtime rt() {
        return Runtime.getRuntime(Libc.get());
    }

    /** A {@code struct sockaddr_un} for {@code path}; its length is {@link #addressLength}. */
    static Pointer unixAddress(Path path) throws IOException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= Libc.SUN_PATH_MAX) {
            throw new IOException(path + ": a UNIX socket path has at most " + (Libc.SUN_PATH_MAX - 1) + " bytes");
        }
        Pointer a = Memory.allocateDirect(rt(), 2 + Libc.SUN_PATH_MAX, true);
        a.putShort(0, (short) Libc.AF_UNIX);
        a.put(2, p, 0, p.length);
        return a;
    }

    static int addressLength(Path path) {
        return 2 + path.toString().getBytes(StandardCharsets.UTF_8).length + 1;
    }

    /** Connects a new UNIX stream socket to {@code path}. */
    static int connectUnix(Path path) throws IOException {
        Libc c = Libc.get();
        int s = c.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new IOException("socket(AF_UNIX): " + Libc.lastError());
        }
        if (c.connect(s, unixAddress(path), addressLength(path)) < 0) {
            String e = Libc.lastError();
            c.close(s);
            throw new IOException("connect " + path + ": " + e);
        }
        return s;
    }

    /** Sends {@code data} with descriptor {@code fd} attached ({@code SCM_RIGHTS}). */
    static void sendWithFd(int sock, byte[] data, int fd) throws IOException {
        Runtime rt = rt();
        Pointer buf = Memory.allocateDirect(rt, Math.max(1, data.length));
        buf.put(0, data, 0, data.length);
        Pointer iov = Memory.allocateDirect(rt, 16, true);
        iov.putAddress(0, buf.address());
        iov.putLong(8, data.length);
        Pointer control = Memory.allocateDirect(rt, Libc.CMSG_SPACE_INT, true);
        control.putLong(0, Libc.CMSG_LEN_INT);
        control.putInt(8, Libc.SOL_SOCKET);
        control.putInt(12, Libc.SCM_RIGHTS);
        control.putInt(Libc.CMSG_DATA, fd);
        Pointer msg = Memory.allocateDirect(rt, Libc.MSGHDR_SIZE, true);
        msg.putAddress(Libc.MSG_IOV, iov.address());
        msg.putLong(Libc.MSG_IOVLEN, 1);
        msg.putAddress(Libc.MSG_CONTROL, control.address());
        msg.putLong(Libc.MSG_CONTROLLEN, Libc.CMSG_SPACE_INT);
        if (Libc.get().sendmsg(sock, msg, Libc.MSG_NOSIGNAL) < 0) {
            throw new IOException("sendmsg: " + Libc.lastError());
        }
    }

    /** What {@link #receiveWithFd} got: the data and the passed descriptor (-1 if none). */
    record Received(String data, int fd) {
    }

    /** Receives up to 512 bytes and at most one passed descriptor (close-on-exec). */
    static Received receiveWithFd(int sock) throws IOException {
        Runtime rt = rt();
        int max = 512;
        Pointer buf = Memory.allocateDirect(rt, max, true);
        Pointer iov = Memory.allocateDirect(rt, 16, true);
        iov.putAddress(0, buf.address());
        iov.putLong(8, max);
        Pointer control = Memory.allocateDirect(rt, Libc.CMSG_SPACE_INT, true);
        Pointer msg = Memory.allocateDirect(rt, Libc.MSGHDR_SIZE, true);
        msg.putAddress(Libc.MSG_IOV, iov.address());
        msg.putLong(Libc.MSG_IOVLEN, 1);
        msg.putAddress(Libc.MSG_CONTROL, control.address());
        msg.putLong(Libc.MSG_CONTROLLEN, Libc.CMSG_SPACE_INT);
        long n;
        do {
            n = Libc.get().recvmsg(sock, msg, Libc.MSG_CMSG_CLOEXEC);
        } while (n < 0 && Libc.errno() == Libc.EINTR);
        if (n < 0) {
            throw new IOException("recvmsg: " + Libc.lastError());
        }
        int fd = -1;
        long clen = msg.getLong(Libc.MSG_CONTROLLEN);
        if (clen >= Libc.CMSG_LEN_INT && control.getInt(8) == Libc.SOL_SOCKET && control.getInt(12) == Libc.SCM_RIGHTS) {
            fd = control.getInt(Libc.CMSG_DATA);
        }
        byte[] b = new byte[(int) n];
        buf.get(0, b, 0, b.length);
        return new Received(new String(b, StandardCharsets.UTF_8), fd);
    }

    /** An int socket option, or -1 with errno set. */
    static int intOption(int fd, int level, int name) {
        Runtime rt = rt();
        Pointer v = Memory.allocateDirect(rt, 4, true);
        Pointer len = Memory.allocateDirect(rt, 4, true);
        len.putInt(0, 4);
        if (Libc.get().getsockopt(fd, level, name, v, len) < 0) {
            return -1;
        }
        return v.getInt(0);
    }

    /**
     * The network namespace of socket {@code fd} as {@code /proc/PID/ns/net} names it
     * ({@code net:[INODE]}), through {@code SIOCGSKNS}.
     *
     * @throws IOException if the kernel does not tell (EPERM: no CAP_NET_ADMIN over it)
     */
    static String netnsOf(int fd) throws IOException {
        int ns = Libc.get().ioctl(fd, Libc.SIOCGSKNS);
        if (ns < 0) {
            throw new IOException("SIOCGSKNS: " + Libc.lastError());
        }
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + ns)).toString();
        } finally {
            Libc.get().close(ns);
        }
    }

    /** This process's network namespace, {@code net:[INODE]}. */
    static String ownNetns() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    /**
     * The helper's side ({@code apsysfs netlink-attach}): creates a
     * {@code NETLINK_KOBJECT_UEVENT} socket in this process's network namespace, hands it to
     * the daemon listening at {@code server} with {@code label}, and returns the connection
     * (the daemon sends on the socket until it closes) and the daemon's reply line.
     */
    public static Attached attach(Path server, String label) throws IOException {
        Libc c = Libc.get();
        int nl = c.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_KOBJECT_UEVENT);
        if (nl < 0) {
            throw new IOException("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT): " + Libc.lastError());
        }
        int s;
        try {
            s = connectUnix(server);
            try {
                sendWithFd(s, (label.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8), nl);
            } catch (IOException e) {
                c.close(s);
                throw e;
            }
        } finally {
            c.close(nl); // the daemon holds its own copy now
        }
        String reply = readLine(s);
        return new Attached(s, reply);
    }

    /** A connection made by {@link #attach} and the daemon's reply. */
    public record Attached(int connection, String reply) {
        /** Blocks until the daemon closes the connection (or it fails). */
        public void awaitClose() {
            byte[] b = new byte[64];
            while (true) {
                long n = Libc.get().read(connection, b, b.length);
                if (n == 0 || n < 0 && Libc.errno() != Libc.EINTR) {
                    return;
                }
            }
        }
    }

    /** Reads up to a newline (not included) or the end; at most 512 bytes. */
    static String readLine(int fd) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[1];
        while (sb.length() < 512) {
            long n = Libc.get().read(fd, b, 1);
            if (n < 0) {
                if (Libc.errno() == Libc.EINTR) {
                    continue;
                }
                throw new IOException("read: " + Libc.lastError());
            }
            if (n == 0 || b[0] == '\n') {
                break;
            }
            sb.append((char) (b[0] & 0xff));
        }
        return sb.toString();
    }
}
