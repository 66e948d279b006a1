package org.apsysfs.kernel;

/**
 * What a simulated kernel function "returns" when it fails: an errno and, optionally, the
 * line the kernel would print (or we print to teach the user why). Model code throws it;
 * only the FUSE edge turns it into {@code -errno}.
 */
public final class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;
    private final String logLine;

    private KernelException(Errno errno, String logLine) {
        super(errno.name() + (logLine == null ? "" : ": " + logLine), null, false, false);
        this.errno = errno;
        this.logLine = logLine;
    }

    /** Failure with an explanatory kernel-style log line (prefix included, e.g. "ap: ..."). */
    public static KernelException of(Errno errno, String logLine) {
        return new KernelException(errno, logLine);
    }

    /** Failure with a formatted log line. */
    public static KernelException of(Errno errno, String format, Object... args) {
        return new KernelException(errno, String.format(format, args));
    }

    /** Failure without a log line (the caller logs, or nothing needs saying). */
    public static KernelException bare(Errno errno) {
        return new KernelException(errno, null);
    }

    public Errno errno() {
        return errno;
    }

    /** The kernel-style explanation, or null. */
    public String logLine() {
        return logLine;
    }
}
