package org.apsysfs.testing;

/**
 * The outcome of open + one write(2) + close, as a shell redirection does it.
 *
 * @param openErrno  0, or the errno open(2) failed with (then nothing was written)
 * @param writeErrno 0, or the errno write(2) failed with
 * @param written    what write(2) returned (-1 on failure or when open failed)
 * @param closeErrno 0, or the errno close(2) failed with
 */
public record WriteResult(int openErrno, int writeErrno, long written, int closeErrno) {

    /** The errno of the first failing step, 0 if all succeeded. */
    public int errno() {
        return openErrno != 0 ? openErrno : writeErrno != 0 ? writeErrno : closeErrno;
    }

    public boolean ok() {
        return errno() == 0;
    }

    @Override
    public String toString() {
        if (openErrno != 0) {
            return "open failed: " + Sys.errnoName(openErrno);
        }
        if (writeErrno != 0) {
            return "write failed: " + Sys.errnoName(writeErrno);
        }
        return "wrote " + written + (closeErrno != 0 ? ", close failed: " + Sys.errnoName(closeErrno) : "");
    }
}
