package org.apsysfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.apsysfs.kernel.Errno;

/**
 * Real system calls for tests, with the exact errno. Java's own file API maps errors to
 * exception messages; these go straight to libc (jnr-ffi) so a test can say "this write fails
 * with EBUSY". Calls that return an int follow the kernel convention: {@code >= 0} is success,
 * {@code -errno} is failure. Calls that return data throw {@link SysException} on failure.
 */
public final class Sys {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_DIRECT = 040000;
    /** What a shell's {@code >} opens with, like C's {@code fopen(path, "w")} and Rust's {@code fs::write}. */
    public static final int O_SHELL_WRITE = O_WRONLY | O_CREAT | O_TRUNC;

    public static final int R_OK = 4;
    public static final int W_OK = 2;
    public static final int X_OK = 1;
    public static final int F_OK = 0;

    public static final int SEEK_SET = 0;
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;

    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFIFO = 0010000;

    /** What {@code cat} (coreutils) reads per call. */
    public static final int CAT_CHUNK = 128 * 1024;

    /** The libc functions used (glibc; all present in Debian 12's). */
    public interface LibC {
        int open(String path, int flags, @mode_t int mode);

        int close(int fd);

        @ssize_t long read(int fd, byte[] buf, @size_t long n);

        @ssize_t long write(int fd, byte[] buf, @size_t long n);

        @ssize_t long pread(int fd, byte[] buf, @size_t long n, @off_t long offset);

        @ssize_t long pwrite(int fd, byte[] buf, @size_t long n, @off_t long offset);

        @off_t long lseek(int fd, @off_t long offset, int whence);

        int truncate(String path, @off_t long length);

        int ftruncate(int fd, @off_t long length);

        int mkdir(String path, @mode_t int mode);

        int rmdir(String path);

        int unlink(String path);

        int rename(String from, String to);

        int renameat2(int fromDir, String from, int toDir, String to, int flags);

        int symlink(String target, String linkPath);

        int link(String from, String to);

        int mknod(String path, @mode_t int mode, @dev_t long dev);

        int chmod(String path, @mode_t int mode);

        int chown(String path, int uid, int gid);

        int lchown(String path, int uid, int gid);

        int access(String path, int mask);

        Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

        int munmap(Pointer addr, @size_t long length);

        @ssize_t long lgetxattr(String path, String name, byte[] value, @size_t long size);

        int lsetxattr(String path, String name, byte[] value, @size_t long size, int flags);

        @ssize_t long llistxattr(String path, byte[] list, @size_t long size);

        int lremovexattr(String path, String name);

        @ssize_t long readlink(String path, byte[] buf, @size_t long size);

        /** times: {atime.sec, atime.nsec, mtime.sec, mtime.nsec} (struct timespec[2]). */
        int utimensat(int dirfd, String path, long[] times, int flags);

        Pointer opendir(String path);

        Pointer readdir(Pointer dir);

        int closedir(Pointer dir);

        String strerror(int errno);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    /** offsetof(struct dirent, d_name) on 64-bit glibc (x86_64, s390x, aarch64). */
    private static final int DIRENT_NAME = 19;

    private Sys() {
    }

    /** The raw libc binding (for calls this class does not wrap). */
    public static LibC libc() {
        return LIBC;
    }

    private static int errno() {
        return RUNTIME.getLastError();
    }

    private static int rc(int r) {
        return r < 0 ? -errno() : r;
    }

    private static long rc(long r) {
        return r < 0 ? -errno() : r;
    }

    private static String s(Path p) {
        return p.toString();
    }

    // ------------------------------------------------------------------ int-returning calls

    /** open(2): the fd, or -errno. */
    public static int open(Path path, int flags) {
        return rc(LIBC.open(s(path), flags, 0666));
    }

    public static int open(Path path, int flags, int mode) {
        return rc(LIBC.open(s(path), flags, mode));
    }

    public static int close(int fd) {
        return rc(LIBC.close(fd));
    }

    /** write(2) of all of {@code data} in one call: bytes written, or -errno. */
    public static long write(int fd, byte[] data) {
        return rc(LIBC.write(fd, data, data.length));
    }

    public static long write(int fd, String data) {
        return write(fd, data.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static long pwrite(int fd, byte[] data, long offset) {
        return rc(LIBC.pwrite(fd, data, data.length, offset));
    }

    public static long lseek(int fd, long offset, int whence) {
        return rc(LIBC.lseek(fd, offset, whence));
    }

    /** truncate(2) on a path (what a shell's {@code >} sends through FUSE): 0 or -errno. */
    public static int truncate(Path path, long length) {
        return rc(LIBC.truncate(s(path), length));
    }

    public static int ftruncate(int fd, long length) {
        return rc(LIBC.ftruncate(fd, length));
    }

    public static int mkdir(Path path, int mode) {
        return rc(LIBC.mkdir(s(path), mode));
    }

    public static int rmdir(Path path) {
        return rc(LIBC.rmdir(s(path)));
    }

    public static int unlink(Path path) {
        return rc(LIBC.unlink(s(path)));
    }

    public static int rename(Path from, Path to) {
        return rc(LIBC.rename(s(from), s(to)));
    }

    public static int renameat2(Path from, Path to, int flags) {
        return rc(LIBC.renameat2(AT_FDCWD, s(from), AT_FDCWD, s(to), flags));
    }

    public static int symlink(String target, Path linkPath) {
        return rc(LIBC.symlink(target, s(linkPath)));
    }

    public static int link(Path from, Path to) {
        return rc(LIBC.link(s(from), s(to)));
    }

    public static int mknod(Path path, int mode) {
        return rc(LIBC.mknod(s(path), mode, 0));
    }

    /** lgetxattr into a buffer of {@code size} bytes: the value's length, or -errno. */
    public static long lgetxattr(Path path, String name, int size) {
        return rc(LIBC.lgetxattr(s(path), name, size == 0 ? null : new byte[size], size));
    }

    /** The value of an extended attribute, or null with the errno in {@code errno[0]}. */
    public static byte[] lgetxattr(Path path, String name, int[] errno) {
        byte[] buf = new byte[65536];
        long r = rc(LIBC.lgetxattr(s(path), name, buf, buf.length));
        if (r < 0) {
            errno[0] = (int) -r;
            return null;
        }
        return java.util.Arrays.copyOf(buf, (int) r);
    }

    public static int lsetxattr(Path path, String name, byte[] value, int flags) {
        return rc(LIBC.lsetxattr(s(path), name, value, value.length, flags));
    }

    public static int lremovexattr(Path path, String name) {
        return rc(LIBC.lremovexattr(s(path), name));
    }

    /** The names llistxattr reports, or null if it fails. */
    public static List<String> llistxattr(Path path) {
        byte[] buf = new byte[65536];
        long r = rc(LIBC.llistxattr(s(path), buf, buf.length));
        if (r < 0) {
            return null;
        }
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < r; i++) {
            if (buf[i] == 0) {
                names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return names;
    }

    public static int chmod(Path path, int mode) {
        return rc(LIBC.chmod(s(path), mode));
    }

    public static int chown(Path path, int uid, int gid) {
        return rc(LIBC.chown(s(path), uid, gid));
    }

    /** access(2) with R_OK/W_OK/X_OK/F_OK: 0 or -errno. */
    public static int access(Path path, int mask) {
        return rc(LIBC.access(s(path), mask));
    }

    /** utimensat(2) with explicit times in seconds (like {@code touch -d}): 0 or -errno. */
    public static int utimes(Path path, long atimeSec, long mtimeSec) {
        return rc(LIBC.utimensat(AT_FDCWD, s(path), new long[] {atimeSec, 0, mtimeSec, 0}, 0));
    }

    // ------------------------------------------------------------------ data-returning calls

    /** Reads the whole file like {@code cat}: one open, reads of {@link #CAT_CHUNK} to EOF. */
    public static byte[] readBytes(Path path) {
        return readBytes(path, CAT_CHUNK);
    }

    /** Reads the whole file with reads of {@code chunk} bytes (small chunks = many reads). */
    public static byte[] readBytes(Path path, int chunk) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            throw new SysException("open", path, -fd);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[chunk];
            while (true) {
                long n = LIBC.read(fd, buf, chunk);
                if (n < 0) {
                    throw new SysException("read", path, errno());
                }
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(buf, 0, (int) n);
            }
        } finally {
            LIBC.close(fd);
        }
    }

    /** The content as text (ISO-8859-1: every byte is one char). */
    public static String read(Path path) {
        return new String(readBytes(path), StandardCharsets.ISO_8859_1);
    }

    public static String read(Path path, int chunk) {
        return new String(readBytes(path, chunk), StandardCharsets.ISO_8859_1);
    }

    /** read(2) of up to {@code n} bytes from an open fd; throws on failure. */
    public static String read(int fd, int n) {
        byte[] buf = new byte[n];
        long r = LIBC.read(fd, buf, n);
        if (r < 0) {
            throw new SysException("read", Path.of("fd:" + fd), errno());
        }
        return new String(buf, 0, (int) r, StandardCharsets.ISO_8859_1);
    }

    /** read(2) on an fd: the errno of a failing read, or 0 if it succeeded. */
    public static int readErrno(int fd, int n) {
        long r = LIBC.read(fd, new byte[n], n);
        return r < 0 ? errno() : 0;
    }

    /**
     * mmap(2) of one page of {@code fd}, read-only, {@code MAP_SHARED} or {@code MAP_PRIVATE}:
     * 0 when it succeeded (the mapping is removed again), or -errno.
     */
    public static int mmapPage(int fd, boolean shared) {
        Pointer addr = LIBC.mmap(null, 4096, 1 /* PROT_READ */, shared ? 1 : 2 /* MAP_SHARED : MAP_PRIVATE */, fd, 0);
        if (addr == null || addr.address() == -1L) {
            return -errno();
        }
        LIBC.munmap(addr, 4096);
        return 0;
    }

    /** pread(2): the errno of a failing pread, or 0 if it succeeded. */
    public static int preadErrno(int fd, int n, long offset) {
        long r = LIBC.pread(fd, new byte[n], n, offset);
        return r < 0 ? errno() : 0;
    }

    /** pread(2); throws on failure. */
    public static String pread(int fd, int n, long offset) {
        byte[] buf = new byte[n];
        long r = LIBC.pread(fd, buf, n, offset);
        if (r < 0) {
            throw new SysException("pread", Path.of("fd:" + fd), errno());
        }
        return new String(buf, 0, (int) r, StandardCharsets.ISO_8859_1);
    }

    /** Writes like {@code printf VALUE > path}: open(O_WRONLY|O_CREAT|O_TRUNC), one write, close. */
    public static WriteResult writeFile(Path path, String value) {
        return writeFile(path, value.getBytes(StandardCharsets.ISO_8859_1), O_SHELL_WRITE);
    }

    /** open with {@code flags}, one write(2) of all of {@code data}, close. */
    public static WriteResult writeFile(Path path, byte[] data, int flags) {
        int fd = open(path, flags);
        if (fd < 0) {
            return new WriteResult(-fd, 0, -1, 0);
        }
        long n = LIBC.write(fd, data, data.length);
        int werr = n < 0 ? errno() : 0;
        int cerr = LIBC.close(fd) < 0 ? errno() : 0;
        return new WriteResult(0, werr, n, cerr);
    }

    /** lstat(2) (does not follow links); throws {@link SysException} on failure. */
    public static Stat lstat(Path path) {
        return stat(path, false);
    }

    /** stat(2) (follows links); throws {@link SysException} on failure. */
    public static Stat stat(Path path) {
        return stat(path, true);
    }

    private static Stat stat(Path path, boolean follow) {
        FileStat st = POSIX.allocateStat();
        int r = follow ? POSIX.stat(s(path), st) : POSIX.lstat(s(path), st);
        if (r < 0) {
            throw new SysException(follow ? "stat" : "lstat", path, POSIX.errno());
        }
        return new Stat(st.mode(), st.st_size(), (int) st.nlink(), st.uid(), st.gid(),
                st.atime(), st.mtime(), st.ctime());
    }

    /** lstat's errno: 0 if the path exists (as a link, if it is one), else the errno. */
    public static int lstatErrno(Path path) {
        FileStat st = POSIX.allocateStat();
        return POSIX.lstat(s(path), st) < 0 ? POSIX.errno() : 0;
    }

    /** stat's errno: 0 if the path exists (links followed), else the errno. */
    public static int statErrno(Path path) {
        FileStat st = POSIX.allocateStat();
        return POSIX.stat(s(path), st) < 0 ? POSIX.errno() : 0;
    }

    /** readlink(2); throws {@link SysException} on failure. */
    public static String readlink(Path path) {
        byte[] buf = new byte[4096];
        long n = LIBC.readlink(s(path), buf, buf.length);
        if (n < 0) {
            throw new SysException("readlink", path, errno());
        }
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** readdir(3) in the order the file system returns entries, {@code .} and {@code ..} included. */
    public static List<String> readdir(Path dir) {
        Pointer d = LIBC.opendir(s(dir));
        if (d == null) {
            throw new SysException("opendir", dir, errno());
        }
        try {
            List<String> out = new ArrayList<>();
            for (Pointer e = LIBC.readdir(d); e != null; e = LIBC.readdir(d)) {
                out.add(e.getString(DIRENT_NAME, 256, StandardCharsets.UTF_8));
            }
            return out;
        } finally {
            LIBC.closedir(d);
        }
    }

    // ------------------------------------------------------------------ processes

    /** The outcome of a command. */
    public record ProcResult(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command (no shell), with a bound; the process is killed if it takes longer. */
    public static ProcResult run(List<String> command, long timeout, TimeUnit unit) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            // small outputs only: read after exit would risk a full pipe, so read in threads
            var out = new java.util.concurrent.CompletableFuture<String>();
            var err = new java.util.concurrent.CompletableFuture<String>();
            Thread to = new Thread(() -> out.complete(drain(p.getInputStream())), "proc-out");
            Thread te = new Thread(() -> err.complete(drain(p.getErrorStream())), "proc-err");
            to.setDaemon(true);
            te.setDaemon(true);
            to.start();
            te.start();
            if (!p.waitFor(timeout, unit)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command timed out after " + timeout + " " + unit + ": " + command);
            }
            return new ProcResult(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    public static ProcResult run(String... command) {
        return run(List.of(command), 20, TimeUnit.SECONDS);
    }

    /** {@code /bin/sh -c script}. */
    public static ProcResult sh(String script) {
        return run("/bin/sh", "-c", script);
    }

    /**
     * Whether this process runs in the initial user namespace: its {@code /proc/self/uid_map}
     * is the identity extent {@code 0 0 4294967295} that kernel/user_namespace.c gives
     * init_user_ns (as root there, the host's sysfs answers for root). In a user namespace of
     * its own (scripts/test without root) the host's root is not mapped.
     */
    public static boolean inInitialUserNamespace() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+");
            return f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The uid the kernel shows for an owner this user namespace does not map:
     * {@code /proc/sys/kernel/overflowuid} (from_kuid_munged, used by fs/stat.c cp_new_stat).
     */
    public static int overflowUid() {
        try {
            // one read(2) from offset 0: a sysctl integer reads as empty at any later offset
            // (proc_dointvec, kernel/sysctl.c), so Files.readString's one-byte probe would cut it
            try (var in = java.nio.file.Files.newInputStream(Path.of("/proc/sys/kernel/overflowuid"))) {
                return Integer.parseInt(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command as another user (setpriv, all supplementary groups dropped). */
    public static ProcResult runAs(int uid, int gid, String... command) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        c.addAll(List.of(command));
        return run(c, 20, TimeUnit.SECONDS);
    }

    /** Runs a command as {@code nobody} (65534:65534). */
    public static ProcResult runAsNobody(String... command) {
        return runAs(65534, 65534, command);
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** libc's message for an errno ("Permission denied"). */
    public static String strerror(int errno) {
        return LIBC.strerror(errno);
    }

    /**
     * The errno whose message (strerror) appears in a command's error output, e.g.
     * {@code "cat: x: Permission denied"} gives EACCES; null if none does. For commands run as
     * another user, whose errno cannot be observed directly.
     */
    public static Errno errnoInMessage(String stderr) {
        for (Errno e : Errno.values()) {
            if (e != Errno.ERESTARTSYS && stderr.contains(strerror(e.code()))) {
                return e;
            }
        }
        return null;
    }

    /** The symbolic name of an errno number ("EBUSY"), or the number if Errno does not know it. */
    public static String errnoName(int errno) {
        if (errno == 0) {
            return "success";
        }
        try {
            return Errno.of(errno).name();
        } catch (IllegalArgumentException e) {
            return switch (errno) {
                case 107 -> "ENOTCONN";
                case 18 -> "EXDEV";
                case 4 -> "EINTR";
                default -> "errno " + errno;
            };
        }
    }
}
