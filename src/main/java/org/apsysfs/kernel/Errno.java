package org.apsysfs.kernel;

/**
 * The Linux errno values the simulated kernel can return from a sysfs operation.
 * Numbers are those of x86_64/s390x Linux (asm-generic/errno-base.h, errno.h).
 */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12),
    EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), ENOTDIR(20), EISDIR(21), EFBIG(27),
    EINVAL(22), ENOSPC(28), EROFS(30), ERANGE(34), ENOSYS(38), ENOTEMPTY(39), ENODATA(61),
    EUSERS(87), EOPNOTSUPP(95), EADDRINUSE(98), EADDRNOTAVAIL(99), ETIMEDOUT(110),
    /** Kernel-internal "restart the system call"; user space sees EINTR when no restart happens. */
    ERESTARTSYS(512);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The positive errno number. */
    public int code() {
        return code;
    }

    /** The errno user space sees: ERESTARTSYS surfaces as EINTR (4). */
    public int userCode() {
        return this == ERESTARTSYS ? 4 : code;
    }

    public static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown errno " + code);
    }
}
