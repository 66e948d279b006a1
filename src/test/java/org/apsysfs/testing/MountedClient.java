package org.apsysfs.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.SysfsClient;

/**
 * A {@link SysfsClient} through a mount, with real system calls ({@link Sys}): what a user's
 * {@code cat}, {@code printf VALUE > file} ({@code O_WRONLY|O_CREAT|O_TRUNC}), {@code readlink}
 * and {@code ls} see, errno included.
 */
public final class MountedClient implements SysfsClient {
    private final Path root;

    public MountedClient(Path root) {
        this.root = root;
    }

    /** The path of {@code rel} below the mount point (a leading slash is ignored). */
    public Path under(String rel) {
        String r = rel;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        return r.isEmpty() ? root : root.resolve(r);
    }

    /** The {@link Errno} of a system call's errno; EINTR is what ERESTARTSYS shows. */
    static Errno errno(int userCode) {
        if (userCode == 0) {
            return null;
        }
        if (userCode == Errno.ERESTARTSYS.userCode()) {
            return Errno.ERESTARTSYS;
        }
        try {
            return Errno.of(userCode);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the mount answered " + Sys.errnoName(userCode) + ", which sysfs never does", e);
        }
    }

    /** A system call on {@code path}; its failure as the KernelException of its errno. */
    private <T> T call(String path, Function<Path, T> syscall) {
        try {
            return syscall.apply(under(path));
        } catch (SysException e) {
            throw KernelException.of(errno(e.errno()), e.getMessage());
        }
    }

    @Override
    public boolean exists(String path) {
        return Sys.statErrno(under(path)) == 0;
    }

    @Override
    public String read(String path) {
        return call(path, Sys::read);
    }

    @Override
    public Write write(String path, String value) {
        WriteResult r = Sys.writeFile(under(path), value);
        return new Write(errno(r.openErrno()), errno(r.writeErrno()), r.written(), errno(r.closeErrno()), null);
    }

    @Override
    public String readlink(String path) {
        return call(path, Sys::readlink);
    }

    @Override
    public List<String> list(String path) {
        List<String> all = new ArrayList<>(call(path, Sys::readdir));
        all.remove(".");
        all.remove("..");
        return all;
    }
}
