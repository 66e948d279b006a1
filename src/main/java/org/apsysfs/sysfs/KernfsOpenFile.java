package org.apsysfs.sysfs;

import java.nio.charset.StandardCharsets;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * An open attribute ({@code struct kernfs_open_file} with its {@code seq_file}). Reading at
 * offset 0 calls {@code show} and keeps the result; reads at later offsets page through that
 * snapshot, so {@code cat} sees one consistent value however many reads it makes, and every
 * new open (or rewind) sees fresh content. A log-like file ({@link Attribute#growing()}) also
 * takes fresh content when a read starts at or past the end of the snapshot. Each write is one store call of at most a page.
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
    /** Document control files: the text written since offset 0, not yet applied; guarded by writeMutex. */
    private StringBuilder document;
    /** A document was applied through this open file; guarded by writeMutex. */
    private boolean documentApplied;

    /** The most a document control file collects from one open (larger writes fail with EFBIG). */
    public static final int MAX_DOCUMENT = 16 << 20;
    /** The most all open document files of the process hold together (beyond: ENOMEM). */
    public static final long MAX_DOCUMENTS_TOTAL = 48L << 20;
    private static final java.util.concurrent.atomic.AtomicLong DOCUMENT_BYTES = new java.util.concurrent.atomic.AtomicLong();

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
    public byte[] read(long offset, int size) {
        Slice s = readSlice(offset, size);
        byte[] out = new byte[s.length()];
        System.arraycopy(s.data(), s.offset(), out, 0, s.length());
        return out;
    }

    /** Part of a snapshot: {@code data[offset, offset + length)}; the array is never changed. */
    public record Slice(byte[] data, int offset, int length) {
    }

    private static final Slice EMPTY = new Slice(new byte[0], 0, 0);

    /**
     * {@link #read} without copying: the bytes are a slice of the snapshot (which is never
     * changed once made; a read at offset 0 makes a new one).
     */
    public synchronized Slice readSlice(long offset, int size) {
        if (!readable) {
            throw KernelException.bare(Errno.EBADF);
        }
        fs.checkLive();
        if (offset == 0 || snapshot == null
                || (offset >= snapshot.length && attr.attribute().growing())) {
            // A log-like file only grows at its end: a read past what this open file has seen
            // asks for what was logged since (tail -f reads on from its offset once the size
            // grew); the bytes before stay where they were until the ring drops lines.
            snapshot = attr.showBytes();
        }
        if (offset >= snapshot.length || size <= 0) {
            return EMPTY;
        }
        int n = (int) Math.min(size, snapshot.length - offset);
        return new Slice(snapshot, (int) offset, n);
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
        return write(data, length, -1);
    }

    /**
     * Writes at {@code offset}. Sysfs attributes ignore the offset; a document control file
     * ({@link Attribute#collectsDocument()}) starts collecting anew at offset 0, appends later
     * writes, and applies the text once it is a complete document.
     */
    public int write(byte[] data, int length, long offset) {
        if (!writable) {
            throw KernelException.bare(Errno.EBADF);
        }
        if (attr.attribute().collectsDocument()) {
            return writeDocument(data, length, offset);
        }
        fs.checkLive();
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

    private int writeDocument(byte[] data, int length, long offset) {
        if (length <= 0) {
            return 0;
        }
        synchronized (writeMutex) {
            String piece = new String(data, 0, length, StandardCharsets.ISO_8859_1);
            if (documentApplied && offset != 0 && piece.isBlank()) {
                // the blank tail of a document already applied (a load may replace this very tree)
                return length;
            }
            fs.checkLive();
            if (offset == 0 || document == null) {
                dropDocument();
                document = new StringBuilder();
                documentApplied = false;
            }
            if (document.length() + (long) length > MAX_DOCUMENT) {
                dropDocument();
                throw KernelException.of(Errno.EFBIG, "apsysfs: %s: a document is limited to %d bytes",
                        attr.name(), MAX_DOCUMENT);
            }
            if (DOCUMENT_BYTES.addAndGet(length) > MAX_DOCUMENTS_TOTAL) {
                DOCUMENT_BYTES.addAndGet(-length);
                dropDocument();
                throw KernelException.of(Errno.ENOMEM, "apsysfs: %s: open documents hold more than %d bytes",
                        attr.name(), MAX_DOCUMENTS_TOTAL);
            }
            document.append(piece);
            try {
                if (fs.storeDocument(attr, document)) {
                    dropDocument();
                    documentApplied = true;
                }
            } catch (KernelException e) {
                dropDocument();
                throw e;
            }
        }
        return length;
    }

    /** Forgets the collected document and gives its bytes back to the budget; writeMutex held. */
    private void dropDocument() {
        if (document != null) {
            DOCUMENT_BYTES.addAndGet(-document.length());
            document = null;
        }
    }

    /** Frees the snapshot and any uncollected document (release). */
    public void release() {
        synchronized (this) {
            snapshot = null;
        }
        synchronized (writeMutex) {
            if (document != null && !document.chars().allMatch(Character::isWhitespace)) {
                fs.log().info("apsysfs: %s: incomplete document discarded (%d bytes)", attr.name(), document.length());
            }
            dropDocument();
        }
    }
}
