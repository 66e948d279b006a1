package org.apsysfs.netlink;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LastError;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few socket calls of the C library this package needs (Java has no netlink sockets and
 * no descriptor passing), with the Linux LP64 constants and struct layouts they use.
 */
public interface Libc {
    int AF_UNIX = 1;
    int AF_NETLINK = 16;
    int SOCK_STREAM = 1;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_KOBJECT_UEVENT = 15;
    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int SO_PROTOCOL = 38;
    int SO_DOMAIN = 39;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int MSG_NOSIGNAL = 0x4000;
    int SHUT_RDWR = 2;
    /** {@code SIOCGSKNS}: a descriptor of the socket's network namespace. */
    long SIOCGSKNS = 0x894C;
    int EINTR = 4;
    int EAGAIN = 11;

    /** {@code struct msghdr} (LP64): name, namelen, iov, iovlen, control, controllen, flags. */
    int MSGHDR_SIZE = 56;
    int MSG_IOV = 16;
    int MSG_IOVLEN = 24;
    int MSG_CONTROL = 32;
    int MSG_CONTROLLEN = 40;
    /** {@code struct cmsghdr}: len (size_t), level, type, then the data. */
    int CMSG_DATA = 16;
    /** {@code CMSG_SPACE(sizeof(int))}. */
    int CMSG_SPACE_INT = 24;
    /** {@code CMSG_LEN(sizeof(int))}. */
    int CMSG_LEN_INT = 20;
    /** {@code struct sockaddr_un}: family, then 108 bytes of path. */
    int SUN_PATH_MAX = 108;

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In Pointer addr, int len);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int accept4(int fd, Pointer addr, Pointer len, int flags);

    @SaveError
    int connect(int fd, @In Pointer addr, int len);

    @SaveError
    long write(int fd, @In byte[] buf, long n);

    @SaveError
    long read(int fd, @Out byte[] buf, long n);

    @SaveError
    long sendmsg(int fd, @In Pointer msg, int flags);

    @SaveError
    long recvmsg(int fd, Pointer msg, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int shutdown(int fd, int how);

    @SaveError
    int getsockopt(int fd, int level, int name, @Out Pointer val, Pointer len);

    @SaveError
    int ioctl(int fd, long request);

    String strerror(int errnum);

    /** The loaded library. */
    static Libc get() {
        return Holder.LIBC;
    }

    /** errno of the calling thread's last failed call. */
    static int errno() {
        return LastError.getLastError(Runtime.getRuntime(Holder.LIBC));
    }

    /** "strerror (errno)" of the last failed call, e.g. {@code Operation not permitted (1)}. */
    static String lastError() {
        int e = errno();
        return Holder.LIBC.strerror(e) + " (errno " + e + ")";
    }

    /** Holds the library, loaded on first use. */
    final class Holder {
        static final Libc LIBC = LibraryLoader.create(Libc.class).failImmediately().load("c");

        private Holder() {
        }
    }
}
