package org.apsysfs.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import jnr.ffi.BaseStruct;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;
import org.apsysfs.sysfs.NodeMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The one place that knows about FUSE: every callback resolves a path in the {@link Kernfs}
 * tree, calls it, and turns a {@link KernelException} into {@code -errno}. Any other exception
 * becomes EIO plus an error line; no request can take the daemon down.
 */
public final class SysfsFuse extends FuseStubFS {
    private static final Logger LOG = LoggerFactory.getLogger(SysfsFuse.class);
    private static final int O_ACCMODE = 3;
    /** O_DIRECT on s390x and x86-64 (asm-generic/fcntl.h: 040000). */
    private static final int O_DIRECT = 040000;
    private static final long UTIME_NOW = (1L << 30) - 1L;
    private static final long UTIME_OMIT = (1L << 30) - 2L;

    /** The tree served now (the saved-state machinery may replace the whole system). */
    private final Supplier<Kernfs> source;
    /** One page per serving thread for the bytes of a write (threads are long-lived). */
    private static final ThreadLocal<byte[]> WRITE_BUFFER =
            ThreadLocal.withInitial(() -> new byte[KernfsOpenFile.PAGE_SIZE]);
    /** Native memory access without a Pointer object per request. */
    private static final MemoryIO IO = MemoryIO.getInstance();
    /** Scratch for decoding paths, per serving thread. */
    private static final ThreadLocal<byte[]> PATH_BUFFER = ThreadLocal.withInitial(() -> new byte[256]);

    /** The raw callbacks and their native stubs, kept reachable as long as the file system. */
    private final List<Object> rawCallbacks = new ArrayList<>();
    private final ConcurrentHashMap<Long, KernfsOpenFile> open = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch gone = new CountDownLatch(1);
    /** The daemon's user is root of the simulation ({@link MountOwner}). */
    private static final MountOwner OWNER = MountOwner.ofThisProcess();

    public SysfsFuse(Kernfs fs) {
        this(() -> fs);
    }

    public SysfsFuse(Supplier<Kernfs> source) {
        this.source = source;
        bindRawCallbacks();
    }

    /**
     * Builds (and drops) one instance: jnr-fuse generates a native stub class per callback
     * interface the first time, which later instances reuse.
     */
    static void preload() {
        new SysfsFuse(() -> null);
    }

    private Kernfs fs() {
        return source.get();
    }

    /**
     * Puts {@link RawCallbacks} in the slots of the frequent requests (lookup/getattr, readlink,
     * getxattr, open, read, write, truncate, release, opendir): paths decoded only when needed,
     * structs read and written at {@link RawLayout}'s offsets. jnr-fuse would decode every path
     * through a CharsetDecoder and wrap every {@code struct stat} and {@code struct
     * fuse_file_info} in a new jnr {@code Struct} per request. These requests have no other
     * path: on a platform whose struct layout differs from the one measured, nothing mounts.
     */
    private void bindRawCallbacks() {
        if (!RawLayout.OK) {
            throw new IllegalStateException("apsysfs: struct stat/fuse_file_info layout not as on 64-bit Linux");
        }
        install(fuseOperations.getattr, RawCallbacks.GetAttr.class, (RawCallbacks.GetAttr) this::getattrAt);
        install(fuseOperations.readlink, RawCallbacks.Readlink.class, (RawCallbacks.Readlink) this::readlinkAt);
        install(fuseOperations.getxattr, RawCallbacks.GetXattr.class,
                (RawCallbacks.GetXattr) (path, name, value, size) -> getxattrFile(cString(path), cString(name), value, size));
        install(fuseOperations.open, RawCallbacks.Open.class, (RawCallbacks.Open) this::openAt);
        install(fuseOperations.opendir, RawCallbacks.Open.class,
                (RawCallbacks.Open) (path, fi) -> opendirFile(cString(path)));
        install(fuseOperations.read, RawCallbacks.ReadWrite.class,
                (RawCallbacks.ReadWrite) (path, buf, size, offset, fi) ->
                        readFile(path, IO.getLong(fi + RawLayout.FI_FH), buf, size, offset));
        install(fuseOperations.write, RawCallbacks.ReadWrite.class,
                (RawCallbacks.ReadWrite) (path, buf, size, offset, fi) ->
                        writeFile(path, IO.getLong(fi + RawLayout.FI_FH), buf, size, offset));
        install(fuseOperations.truncate, RawCallbacks.Truncate.class,
                (RawCallbacks.Truncate) (path, size) -> truncateFile(cString(path)));
        install(fuseOperations.release, RawCallbacks.Release.class,
                (RawCallbacks.Release) (path, fi) -> releaseFile(IO.getLong(fi + RawLayout.FI_FH)));
    }

    /** Puts the native stub of {@code callback} into the slot of jnr-fuse's callback table. */
    private <T> void install(BaseStruct.Func<?> slot, Class<T> type, T callback) {
        Pointer stub = fuseOperations.getRuntime().getClosureManager().getClosurePointer(type, callback);
        slot.getMemory().putPointer(slot.offset(), stub);
        rawCallbacks.add(callback);
        rawCallbacks.add(stub);
    }

    /** The NUL-terminated string at {@code address} (paths: UTF-8; ours are ASCII). */
    static String cString(long address) {
        int n = (int) IO.getStringLength(address);
        byte[] b = PATH_BUFFER.get();
        if (b.length < n) {
            b = new byte[Math.max(n, 2 * b.length)];
            PATH_BUFFER.set(b);
        }
        IO.getByteArray(address, b, 0, n);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Counted down when the kernel has sent INIT: the mount serves requests. */
    public CountDownLatch ready() {
        return ready;
    }

    /** Counted down when the file system was destroyed (unmounted). */
    public CountDownLatch gone() {
        return gone;
    }

    /** Number of open attribute files (per-open snapshots held). */
    public int openFiles() {
        return open.size();
    }

    /** The callback table jnr-fuse built for this file system (for {@link FuseLoop#setup}). */
    FuseOperations operations() {
        return fuseOperations;
    }

    @Override
    protected String getFSName() {
        return "apsysfs";
    }

    @Override
    public Pointer init(Pointer conn) {
        ready.countDown();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        gone.countDown();
    }

    private Cred cred() {
        try {
            long ctx = FuseLoop.library().fuse_get_context();
            if (ctx == 0) {
                return Cred.ROOT;
            }
            return OWNER.cred(IO.getInt(ctx + RawLayout.CTX_UID), IO.getInt(ctx + RawLayout.CTX_GID));
        } catch (RuntimeException e) {
            return Cred.ROOT;
        }
    }

    private int fail(String op, String path, RuntimeException e) {
        if (e instanceof KernelException ke) {
            return -ke.errno().userCode();
        }
        LOG.error("apsysfs: internal error in {} {}", op, path, e);
        fs().log().err("apsysfs: internal error in %s %s: %s", op, path, e);
        return -Errno.EIO.userCode();
    }

    /**
     * Runs {@code body} on the node at {@code path}: ENOENT if there is none; a refusal
     * ({@code KernelException}) becomes its errno, anything else EIO and an error line.
     */
    private int onNode(String op, String path, ToIntFunction<KernfsNode> body) {
        try {
            KernfsNode n = fs().lookup(path);
            return n == null ? -Errno.ENOENT.userCode() : body.applyAsInt(n);
        } catch (RuntimeException e) {
            return fail(op, path, e);
        }
    }


    private int getattrAt(long pathAddress, long st) {
        String path = cString(pathAddress);
        try {
            KernfsNode n = fs().lookup(path);
            if (n == null) {
                return -Errno.ENOENT.userCode();
            }
            KernelCache.lookedUp(n);
            fillRaw(n, st);
            return 0;
        } catch (RuntimeException e) {
            return fail("getattr", path, e);
        }
    }

    private static int typeAndMode(KernfsNode n) {
        if (n instanceof KernfsDir d) {
            return FileStat.S_IFDIR | d.mode();
        } else if (n instanceof KernfsLink) {
            return FileStat.S_IFLNK | 0777;
        }
        return FileStat.S_IFREG | n.mode();
    }

    private static long nlink(KernfsNode n) {
        return n instanceof KernfsDir d ? 2 + d.subdirCount() : 1;
    }

    /**
     * st_size: kernfs gives every attribute a page (sysfs_add_file_mode_ns: PAGE_SIZE). A
     * log-like control file reports its content's length instead, what a growing file does:
     * debugfs would say 0, but on a FUSE mount tail -f polls fstat (no inotify events), takes a
     * size below its offset for a truncation and prints the file again, and never follows a
     * file that does not grow; with the true size tail -n N reads the true end.
     */
    private static long size(KernfsNode n) {
        if (n instanceof KernfsDir || n instanceof KernfsLink) {
            return 0;
        }
        if (n instanceof KernfsAttr a && a.attribute().growing() && a.active()) {
            try {
                return a.showBytes().length;
            } catch (RuntimeException e) {
                return 0;
            }
        }
        return KernfsOpenFile.PAGE_SIZE;
    }


    /** {@link #fill} straight into the {@code struct stat} at {@code st}. */
    private static void fillRaw(KernfsNode n, long st) {
        // no metadata of its own (the usual case): root-owned, one time for all three
        NodeMeta m = n.metaIfAny();
        IO.putInt(st + RawLayout.ST_MODE, typeAndMode(n));
        IO.putLong(st + RawLayout.ST_NLINK, nlink(n));
        IO.putLong(st + RawLayout.ST_SIZE, size(n));
        IO.putInt(st + RawLayout.ST_UID, OWNER.uid(m == null ? 0 : m.uid()));
        IO.putInt(st + RawLayout.ST_GID, OWNER.gid(m == null ? 0 : m.gid()));
        IO.putLong(st + RawLayout.ST_BLKSIZE, KernfsOpenFile.PAGE_SIZE);
        IO.putLong(st + RawLayout.ST_BLOCKS, 0);
        long t = m == null ? n.defaultTimeMillis() : 0;
        setTime(st + RawLayout.ST_ATIME, st + RawLayout.ST_ATIME_NSEC, m == null ? t : m.atimeMillis());
        setTime(st + RawLayout.ST_MTIME, st + RawLayout.ST_MTIME_NSEC, m == null ? t : m.mtimeMillis());
        setTime(st + RawLayout.ST_CTIME, st + RawLayout.ST_CTIME_NSEC, m == null ? t : m.ctimeMillis());
    }

    private static void setTime(long sec, long nsec, long millis) {
        IO.putLong(sec, millis / 1000L);
        IO.putLong(nsec, (millis % 1000L) * 1_000_000L);
    }



    /** Writes the NUL-terminated target and returns 0 (what libfuse 2 expects). */
    private int readlinkAt(long pathAddress, long buf, long size) {
        String path = cString(pathAddress);
        try {
            KernfsNode n = fs().lookup(path);
            if (n == null) {
                return -Errno.ENOENT.userCode();
            }
            if (!(n instanceof KernfsLink l)) {
                return -Errno.EINVAL.userCode();
            }
            byte[] target = l.targetPath().getBytes(StandardCharsets.UTF_8);
            int len = (int) Math.min(target.length, size - 1);
            IO.putByteArray(buf, target, 0, len);
            IO.putByte(buf + len, (byte) 0);
            return 0;
        } catch (RuntimeException e) {
            return fail("readlink", path, e);
        }
    }


    private int opendirFile(String path) {
        KernfsNode n = fs().lookup(path);
        if (n == null) {
            return -Errno.ENOENT.userCode();
        }
        return n instanceof KernfsDir ? 0 : -Errno.ENOTDIR.userCode();
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        try {
            KernfsNode n = fs().lookup(path);
            if (n == null) {
                return -Errno.ENOENT.userCode();
            }
            if (!(n instanceof KernfsDir d)) {
                return -Errno.ENOTDIR.userCode();
            }
            filter.apply(buf, ".", null, 0);
            filter.apply(buf, "..", null, 0);
            List<String> names = d.list();
            // the entry's type (d_type), as kernfs_fop_readdir gives it (dt_type(pos)): libfuse
            // takes it from st_mode of the stat passed along; nothing else of it is used
            FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
            for (String name : names) {
                KernfsNode c = d.child(name);
                st.st_mode.set(c == null ? 0 : typeAndMode(c));
                if (filter.apply(buf, name, st, 0) != 0) {
                    break;
                }
            }
            return 0;
        } catch (RuntimeException e) {
            return fail("readdir", path, e);
        }
    }


    private int openAt(long path, long fi) {
        long fh = openFile(cString(path), IO.getInt(fi + RawLayout.FI_FLAGS));
        if (fh < 0) {
            return (int) fh;
        }
        IO.putLong(fi + RawLayout.FI_FH, fh);
        return 0;
    }

    /** Opens an attribute: its file handle (≥ 1), or -errno. */
    private long openFile(String path, int flags) {
        try {
            KernfsNode n = fs().lookup(path);
            if (n == null) {
                return -Errno.ENOENT.userCode();
            }
            KernfsOpenFile of = fs().open(n, flags & O_ACCMODE, cred());
            if ((flags & O_DIRECT) != 0) {
                // do_dentry_open (fs/open.c), after kernfs_fop_open: kernfs files have no
                // ->direct_IO (no FMODE_CAN_ODIRECT), so an O_DIRECT open is EINVAL
                of.release();
                return -Errno.EINVAL.userCode();
            }
            long fh = nextFh.getAndIncrement();
            open.put(fh, of);
            return fh;
        } catch (RuntimeException e) {
            return fail("open", path, e);
        }
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        // kernfs has no ->create: the VFS answers EACCES for a new name (an existing name is
        // opened through open() instead).
        KernfsNode n = fs().lookup(path);
        if (n != null) {
            long fh = openFile(path, fi.flags.get());
            if (fh < 0) {
                return (int) fh;
            }
            fi.fh.set(fh);
            return 0;
        }
        return shape(Kernfs.ShapeChange.CREATE);
    }


    /** Reads into {@code buf}; the path (given, or decoded from its address) only names errors. */
    private int readFile(long pathAddress, long fh, long buf, long size, long offset) {
        try {
            KernfsOpenFile of = open.get(fh);
            if (of == null) {
                return -Errno.EBADF.userCode();
            }
            KernfsOpenFile.Slice data = of.readSlice(offset, (int) Math.min(size, Integer.MAX_VALUE));
            IO.putByteArray(buf, data.data(), data.offset(), data.length());
            return data.length();
        } catch (RuntimeException e) {
            return fail("read", cString(pathAddress), e);
        }
    }


    private int writeFile(long pathAddress, long fh, long buf, long size, long offset) {
        try {
            KernfsOpenFile of = open.get(fh);
            if (of == null) {
                return -Errno.EBADF.userCode();
            }
            // a sysfs store sees at most one page; a document control file collects every byte
            int len = of.attr().attribute().collectsDocument() ? (int) Math.min(size, Integer.MAX_VALUE)
                    : (int) Math.min(size, KernfsOpenFile.PAGE_SIZE);
            // the store copies what it needs (KernfsOpenFile.write makes a String of it)
            byte[] data = len <= KernfsOpenFile.PAGE_SIZE ? WRITE_BUFFER.get() : new byte[len];
            IO.getByteArray(buf, data, 0, len);
            return of.write(data, len, offset);
        } catch (RuntimeException e) {
            return fail("write", cString(pathAddress), e);
        }
    }


    private int releaseFile(long fh) {
        KernfsOpenFile of = open.remove(fh);
        if (of != null) {
            of.release();
        }
        return 0;
    }

    // No flush: an attribute has nothing to flush at close(2). Left unimplemented, libfuse
    // answers the first FLUSH with ENOSYS and the kernel sends no more (close still returns 0),
    // which saves one request per open file.

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return 0;
    }


    private int truncateFile(String path) {
        // sysfs accepts a truncate of an attribute and ignores it (what `echo x > attr` does).
        KernfsNode n = fs().lookup(path);
        if (n == null) {
            return -Errno.ENOENT.userCode();
        }
        return n instanceof KernfsDir ? -Errno.EISDIR.userCode() : 0;
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int access(String path, int mask) {
        return onNode("access", path, n -> {
            fs().access(n, mask, cred());
            return 0;
        });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return onNode("chmod", path, n -> {
            fs().chmod(n, (int) mode, cred());
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return onNode("chown", path, n -> {
            fs().chown(n, OWNER.chownUid(uid), OWNER.chownGid(gid), cred());
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return onNode("utimens", path, n -> {
            NodeMeta m = n.meta();
            long a = toMillis(timespec[0], m.atimeMillis());
            long mt = toMillis(timespec[1], m.mtimeMillis());
            fs().utimens(n, a, mt, cred());
            return 0;
        });
    }

    private static long toMillis(Timespec t, long current) {
        long ns = t.tv_nsec.longValue();
        if (ns == UTIME_NOW) {
            return -1;
        }
        if (ns == UTIME_OMIT) {
            return current;
        }
        return t.tv_sec.get() * 1000L + ns / 1_000_000L;
    }

    // Changes of the tree's shape: refused as the kernel refuses them on sysfs (Kernfs.changeShape).
    @Override
    public int mkdir(String path, @mode_t long mode) {
        return shape(Kernfs.ShapeChange.MKDIR);
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return shape(Kernfs.ShapeChange.MKNOD);
    }

    @Override
    public int unlink(String path) {
        return shape(Kernfs.ShapeChange.UNLINK);
    }

    @Override
    public int rmdir(String path) {
        return shape(Kernfs.ShapeChange.RMDIR);
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return shape(Kernfs.ShapeChange.SYMLINK);
    }

    @Override
    public int link(String oldpath, String newpath) {
        return shape(Kernfs.ShapeChange.LINK);
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return shape(Kernfs.ShapeChange.RENAME);
    }

    private int shape(Kernfs.ShapeChange op) {
        try {
            fs().changeShape(op);
            return 0;
        } catch (RuntimeException e) {
            return fail(op.name().toLowerCase(java.util.Locale.ROOT), "", e);
        }
    }

    /** getxattr as on sysfs ({@link Kernfs#getxattr}); size 0 asks for the length, ERANGE if it does not fit. */
    private int getxattrFile(String path, String name, long value, long size) {
        return onNode("getxattr", path, n -> {
            byte[] v = fs().getxattr(n, name);
            if (size == 0) {
                return v.length;
            }
            if (v.length > size) {
                return -Errno.ERANGE.userCode();
            }
            IO.putByteArray(value, v, 0, v.length);
            return v.length;
        });
    }

    /** listxattr: the names NUL-terminated one after the other; size 0 asks for the length. */
    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return onNode("listxattr", path, n -> {
            StringBuilder names = new StringBuilder();
            for (String name : fs().listxattr(n, cred())) {
                names.append(name).append('\0');
            }
            byte[] b = names.toString().getBytes(StandardCharsets.UTF_8);
            if (size == 0) {
                return b.length;
            }
            if (b.length > size) {
                return -Errno.ERANGE.userCode();
            }
            list.put(0, b, 0, b.length);
            return b.length;
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return onNode("setxattr", path, n -> {
            byte[] v = new byte[(int) size];
            if (size > 0) {
                value.get(0, v, 0, v.length);
            }
            fs().setxattr(n, name, v, flags, cred());
            return 0;
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return onNode("removexattr", path, n -> {
            fs().removexattr(n, name, cred());
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        stbuf.f_bsize.set(KernfsOpenFile.PAGE_SIZE);
        stbuf.f_frsize.set(KernfsOpenFile.PAGE_SIZE);
        stbuf.f_namemax.set(255);
        return 0;
    }
}
