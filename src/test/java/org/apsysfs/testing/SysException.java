package org.apsysfs.testing;

import java.nio.file.Path;
import org.apsysfs.kernel.Errno;

/** A failed system call, with its exact errno. */
public final class SysException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public SysException(String call, Path path, int errno) {
        super(call + "(" + path + "): " + Sys.errnoName(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** True if the call failed with {@code e}. */
    public boolean is(Errno e) {
        return errno == e.userCode();
    }
}
