package org.apsysfs.fuse;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Field offsets of {@code struct stat}, {@code struct fuse_file_info} and {@code struct
 * fuse_context} taken once from jnr-fuse's struct definitions, so that the hot callbacks can
 * read and write the native memory directly instead of building a jnr {@code Struct} (some
 * thirty objects for a {@link FileStat}) on every request.
 *
 * <p>The widths written are checked once against the struct definitions ({@link #OK}); if
 * they do not match (a platform other than the one measured), the callbacks keep jnr-fuse's
 * struct-based path.
 */
final class RawLayout {
    static final long ST_MODE;
    static final long ST_NLINK;
    static final long ST_UID;
    static final long ST_GID;
    static final long ST_SIZE;
    static final long ST_BLKSIZE;
    static final long ST_BLOCKS;
    static final long ST_ATIME;
    static final long ST_ATIME_NSEC;
    static final long ST_MTIME;
    static final long ST_MTIME_NSEC;
    static final long ST_CTIME;
    static final long ST_CTIME_NSEC;
    static final long FI_FLAGS;
    static final long FI_FH;
    static final long CTX_UID;
    static final long CTX_GID;
    /** True if writing ints/longs at these offsets is what the jnr structs do. */
    static final boolean OK;

    static {
        Runtime r = Runtime.getSystemRuntime();
        Pointer m = Memory.allocateDirect(r, 512, true);
        FileStat s = FileStat.of(m);
        ST_MODE = s.st_mode.offset();
        ST_NLINK = s.st_nlink.offset();
        ST_UID = s.st_uid.offset();
        ST_GID = s.st_gid.offset();
        ST_SIZE = s.st_size.offset();
        ST_BLKSIZE = s.st_blksize.offset();
        ST_BLOCKS = s.st_blocks.offset();
        ST_ATIME = s.st_atim.tv_sec.offset();
        ST_ATIME_NSEC = s.st_atim.tv_nsec.offset();
        ST_MTIME = s.st_mtim.tv_sec.offset();
        ST_MTIME_NSEC = s.st_mtim.tv_nsec.offset();
        ST_CTIME = s.st_ctim.tv_sec.offset();
        ST_CTIME_NSEC = s.st_ctim.tv_nsec.offset();
        boolean ok = r.addressSize() == 8;
        // 32-bit fields: a value written through the struct reads back as an int and leaves
        // the next four bytes alone; 64-bit fields read back as the whole long
        ok &= int32(m, ST_MODE, () -> s.st_mode.set(0x7eadbeef));
        ok &= int32(m, ST_UID, () -> s.st_uid.set(0x7eadbeef));
        ok &= int32(m, ST_GID, () -> s.st_gid.set(0x7eadbeef));
        ok &= int64(m, ST_NLINK, () -> s.st_nlink.set(0x1122334455667788L));
        ok &= int64(m, ST_SIZE, () -> s.st_size.set(0x1122334455667788L));
        ok &= int64(m, ST_BLKSIZE, () -> s.st_blksize.set(0x1122334455667788L));
        ok &= int64(m, ST_BLOCKS, () -> s.st_blocks.set(0x1122334455667788L));
        ok &= int64(m, ST_ATIME, () -> s.st_atim.tv_sec.set(0x1122334455667788L));
        ok &= int64(m, ST_ATIME_NSEC, () -> s.st_atim.tv_nsec.set(0x1122334455667788L));
        ok &= int64(m, ST_MTIME, () -> s.st_mtim.tv_sec.set(0x1122334455667788L));
        ok &= int64(m, ST_MTIME_NSEC, () -> s.st_mtim.tv_nsec.set(0x1122334455667788L));
        ok &= int64(m, ST_CTIME, () -> s.st_ctim.tv_sec.set(0x1122334455667788L));
        ok &= int64(m, ST_CTIME_NSEC, () -> s.st_ctim.tv_nsec.set(0x1122334455667788L));

        FuseFileInfo fi = FuseFileInfo.of(m);
        FI_FLAGS = fi.flags.offset();
        FI_FH = fi.fh.offset();
        ok &= int32(m, FI_FLAGS, () -> fi.flags.set(0x7eadbeef));
        ok &= int64(m, FI_FH, () -> fi.fh.set(0x1122334455667788L));

        FuseContext c = FuseContext.of(m);
        CTX_UID = c.uid.offset();
        CTX_GID = c.gid.offset();
        ok &= int32(m, CTX_UID, () -> c.uid.set(0x7eadbeef));
        ok &= int32(m, CTX_GID, () -> c.gid.set(0x7eadbeef));
        OK = ok;
    }

    private RawLayout() {
    }

    private static boolean int32(Pointer m, long off, Runnable write) {
        m.setMemory(0, 512, (byte) 0);
        write.run();
        return m.getInt(off) == 0x7eadbeef && m.getInt(off + 4) == 0 && (off == 0 || m.getInt(off - 4) == 0);
    }

    private static boolean int64(Pointer m, long off, Runnable write) {
        m.setMemory(0, 512, (byte) 0);
        write.run();
        return m.getLong(off) == 0x1122334455667788L && m.getLong(off + 8) == 0 && (off == 0 || m.getLong(off - 8) == 0);
    }
}
