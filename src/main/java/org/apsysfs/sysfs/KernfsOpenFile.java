package org.apsysfs.sysfs;

import java.nio.charset.StandardCharsets;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * An open attribute ({@code struct kernfs_open_file} with its {@code seq_file}). Reading at
 * offset 0 calls {@code show} and keeps the result; reads at later offsets page through that
 * snapshot, so {@code cat} sees one consistent value however many reads it makes, and every
 * new open (or rewind) sees fresh content. Each write is one store call of at most a page.
 */
public final class KernfsOpenFile {
    /** The sysfs buffer size: one page. */
    public static final int PAGE_SIZE = 4096;

    private final Kernfs fs;
    private final KernfsAttr attr;
    private final boolean readable;
    private final boolean writable;
    /** Guarded by this. */
    private byte[] snapshot;
    /** of->mutex: stores through one open file run one at a time (reads do not wait for it). */
    private final Object writeMutex = new Object();

    KernfsOpenFile(Kernfs fs, KernfsAttr attr, boolean readable, boolean writable) {
        this.fs = fs;
        this.attr = attr;
        this.readable = readable;
        this.writable = writable;
    }

    public KernfsAttr attr() {
        return attr;
    }

    /**
     * Reads up to {@code size} bytes at {@code offset}.
     *
     * @throws KernelException EBADF if not open for reading, ENODEV if the attribute is gone,
     *         or whatever the show callback fails with
     */
    public synchronized byte[] read(long offset, int size) {
        if (!readable) {
            throw KernelException.bare(Errno.EBADF);
        }
        if (offset == 0 || snapshot == null) {
            snapshot = attr.show().getBytes(StandardCharsets.ISO_8859_1);
        }
        if (offset >= snapshot.length || size <= 0) {
            return new byte[0];
        }
        int n = (int) Math.min(size, snapshot.length - offset);
        byte[] out = new byte[n];
        System.arraycopy(snapshot, (int) offset, out, 0, n);
        return out;
    }

    /**
     * Writes: one store call with at most one page (kernfs_fop_write_iter); the offset does not
     * matter. An empty write stores nothing and returns 0.
     *
     * @return the number of bytes consumed
     * @throws KernelException EBADF if not open for writing, ENODEV if the attribute is gone,
     *         or the store's errno
     */
    public int write(byte[] data, int length) {
        if (!writable) {
            throw KernelException.bare(Errno.EBADF);
        }
        int len = Math.min(length, PAGE_SIZE);
        if (len == 0) {
            return 0;
        }
        String buf = new String(data, 0, len, StandardCharsets.ISO_8859_1);
        synchronized (writeMutex) {
            fs.store(attr, buf);
        }
        return len;
    }

    /** Frees the snapshot (release). */
    public synchronized void release() {
        snapshot = null;
    }
}
