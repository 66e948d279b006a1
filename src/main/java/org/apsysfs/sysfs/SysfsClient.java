package org.apsysfs.sysfs;

import java.util.List;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * Reads and writes a sysfs tree as a root user's {@code cat}, {@code echo}, {@code readlink}
 * and {@code ls} do: in-process through the calls the FUSE edge makes
 * ({@link InProcessClient}), or through a mount with real system calls (the tests'
 * {@code MountedClient}). Paths are below /sys, with or without a leading slash
 * ("bus/ap/apmask", "/bus/ap/apmask"); {@link SysfsPaths} names the well-known ones.
 */
public interface SysfsClient {

    /**
     * What open(O_WRONLY) + one write(2) + close did; a step that was not reached is null.
     *
     * @param openErrno  null, or the errno open failed with (then nothing was written)
     * @param writeErrno null, or the errno the write (the store) failed with
     * @param written    what the write returned (-1 on failure or when open failed)
     * @param closeErrno null, or the errno close failed with
     * @param logLine    the kernel's log line for a refused store when the client sees it, else null
     */
    record Write(Errno openErrno, Errno writeErrno, long written, Errno closeErrno, String logLine) {

        /** The errno of the first failing step, null if all succeeded. */
        public Errno errno() {
            return openErrno != null ? openErrno : writeErrno != null ? writeErrno : closeErrno;
        }

        public boolean ok() {
            return errno() == null;
        }

        @Override
        public String toString() {
            if (openErrno != null) {
                return "open failed: " + openErrno;
            }
            if (writeErrno != null) {
                return "write failed: " + writeErrno + (logLine != null ? " (" + logLine + ")" : "");
            }
            return "wrote " + written + (closeErrno != null ? ", close failed: " + closeErrno : "");
        }
    }

    /** Whether the path names an entry, links followed (what {@code [ -e ]} tests). */
    boolean exists(String path);

    /**
     * The whole content of an attribute, as {@code cat} reads it: one open, reads until end of file.
     *
     * @throws KernelException with the errno of open or read (ENOENT if there is no such file)
     */
    String read(String path);

    /** open(O_WRONLY) + one write of {@code value} (ISO-8859-1 bytes) + close, like {@code printf VALUE > path}. */
    Write write(String path, String value);

    /** {@link #write}'s first errno, null on success. */
    default Errno tryWrite(String path, String value) {
        return write(path, value).errno();
    }

    /**
     * The text of a symbolic link, e.g. {@code ../../../devices/ap/card04}.
     *
     * @throws KernelException ENOENT if there is no such entry, EINVAL if it is not a link
     */
    String readlink(String path);

    /**
     * The entries of a directory in readdir order, without {@code .} and {@code ..}.
     *
     * @throws KernelException ENOENT if there is no such entry, ENOTDIR if it is not a directory
     */
    List<String> list(String path);
}
