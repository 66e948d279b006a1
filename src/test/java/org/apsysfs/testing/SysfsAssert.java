package org.apsysfs.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.SysfsClient;
import org.opentest4j.AssertionFailedError;

/**
 * One-line sysfs facts, checked through a {@link SysfsClient}: a mount with real system calls
 * ({@link MountedClient}), or a tree in-process ({@link InProcessClient}):
 *
 * <pre>
 * assertThat(mnt).file("bus/ap/apmask").hasContent("0x...\n").hasMode(0644);
 * assertThat(mnt).file("bus/ap/devices/card04").isLinkTo("../../../devices/ap/card04");
 * assertThat(mnt).file("devices/ap/card99").isAbsent();
 * assertThat(mnt).dir("devices/ap").containsEntries("card04", "card05");
 * assertThat(mnt).writing("bus/ap/apmask", "+5").failsWith(Errno.EBUSY);
 * assertThat(mnt).writing("bus/ap/apmask", "+5").succeeds();
 * </pre>
 *
 * ({@link #assertSysfs} is the same, for classes that also import AssertJ's assertThat.)
 * Paths are relative to the mount point. Writes are {@code open(O_WRONLY|O_CREAT|O_TRUNC)} +
 * one {@code write(2)} + {@code close}, exactly what {@code printf VALUE > file} does.
 * Content, links, entries, absence and writes hold for both clients; the facts of
 * {@code stat(2)}/{@code access(2)} (mode, size, owner, type) need a mount.
 */
public final class SysfsAssert {
    private SysfsAssert() {
    }

    public static MountAssert assertThat(Path mountPoint) {
        return assertSysfs(mountPoint);
    }

    public static MountAssert assertThat(SysfsMount mount) {
        return assertSysfs(mount);
    }

    /** Facts about a tree read in-process (or through any other client). */
    public static MountAssert assertThat(SysfsClient client) {
        return assertSysfs(client);
    }

    /** {@link #assertThat(Path)} under a name that does not clash with AssertJ's static import. */
    public static MountAssert assertSysfs(Path mountPoint) {
        return new MountAssert(new MountedClient(mountPoint));
    }

    public static MountAssert assertSysfs(SysfsMount mount) {
        return assertSysfs(mount.path());
    }

    public static MountAssert assertSysfs(SysfsClient client) {
        return new MountAssert(client);
    }

    public static MountAssert assertSysfs(InProcessSysfs sys) {
        return new MountAssert(sys.client());
    }

    private static AssertionFailedError fail(String message, Object expected, Object actual) {
        return new AssertionFailedError(message + ": expected " + expected + ", was " + actual, expected, actual);
    }

    private static String show(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Facts about the tree mounted at one directory. */
    public static final class MountAssert {
        private final SysfsClient client;

        MountAssert(SysfsClient client) {
            this.client = client;
        }

        private MountedClient mounted(String what) {
            if (client instanceof MountedClient m) {
                return m;
            }
            throw new IllegalStateException(what + " needs a mount (stat(2), access(2), open flags)");
        }

        /** Facts about one path (a file, directory or link). */
        public FileAssert file(String rel) {
            return new FileAssert(client, rel);
        }

        /** Facts about a directory's entries. */
        public DirAssert dir(String rel) {
            return new DirAssert(client, rel);
        }

        /** Writes {@code value} like {@code printf VALUE > rel} and returns what happened. */
        public WriteAssert writing(String rel, String value) {
            return new WriteAssert(rel, value, client.write(rel, value));
        }

        /** Writes {@code value} with {@code flags} (e.g. {@code Sys.O_WRONLY | Sys.O_APPEND}); mounted only. */
        public WriteAssert writing(String rel, String value, int flags) {
            MountedClient m = mounted("writing with flags");
            WriteResult r = Sys.writeFile(m.under(rel), value.getBytes(StandardCharsets.ISO_8859_1), flags);
            return new WriteAssert(rel, value, new SysfsClient.Write(MountedClient.errno(r.openErrno()),
                    MountedClient.errno(r.writeErrno()), r.written(), MountedClient.errno(r.closeErrno()), null));
        }
    }

    /** Facts about one path. Methods chain; each makes its own system calls. */
    public static final class FileAssert {
        private final SysfsClient client;
        /** The path below the mount point; null in-process. */
        private final Path path;
        private final String rel;

        FileAssert(SysfsClient client, String rel) {
            this.client = client;
            this.path = client instanceof MountedClient m ? m.under(rel) : null;
            this.rel = rel;
        }

        /** The path below the mount point (mounted only). */
        public Path path() {
            if (path == null) {
                throw new IllegalStateException(rel + ": a path below a mount needs a mount");
            }
            return path;
        }

        /** Whether {@code rel} names an entry, a final link not followed (what lstat(2) finds). */
        private boolean present() {
            if (client.exists(rel)) {
                return true;
            }
            try {
                client.readlink(rel);
                return true; // a link whose target is gone
            } catch (KernelException e) {
                return false;
            }
        }

        private Stat lstat() {
            path();
            try {
                return Sys.lstat(path);
            } catch (SysException e) {
                throw new AssertionFailedError(rel + ": " + e.getMessage());
            }
        }

        /** The file's content (one open, reads like {@code cat}). */
        public String content() {
            try {
                return client.read(rel);
            } catch (KernelException e) {
                throw new AssertionFailedError("reading " + rel + " failed: " + e.getMessage());
            }
        }

        /** The entry exists (as a link, if it is one). */
        public FileAssert exists() {
            if (!present()) {
                throw new AssertionFailedError(rel + " does not exist");
            }
            return this;
        }

        /** No entry of that name, not even a link (lstat fails with ENOENT). */
        public FileAssert isAbsent() {
            if (present()) {
                throw fail(rel + " should be absent", "ENOENT", path != null ? Sys.lstat(path).toString() : "present");
            }
            return this;
        }

        public FileAssert isRegularFile() {
            Stat s = lstat();
            if (!s.isRegular()) {
                throw fail(rel + " should be a regular file", "-", s.lsMode());
            }
            return this;
        }

        public FileAssert isDirectory() {
            Stat s = lstat();
            if (!s.isDirectory()) {
                throw fail(rel + " should be a directory", "d", s.lsMode());
            }
            return this;
        }

        public FileAssert isSymlink() {
            Stat s = lstat();
            if (!s.isSymlink()) {
                throw fail(rel + " should be a symbolic link", "l", s.lsMode());
            }
            return this;
        }

        /** The permission bits, e.g. {@code hasMode(0644)}. */
        public FileAssert hasMode(int perm) {
            Stat s = lstat();
            if (s.perm() != perm) {
                throw fail(rel + " mode", String.format("0%o", perm), String.format("0%o (%s)", s.perm(), s.lsMode()));
            }
            return this;
        }

        /** Like {@code ls -l}'s first column: {@code hasLsMode("-rw-r--r--")}. */
        public FileAssert hasLsMode(String lsMode) {
            Stat s = lstat();
            if (!s.lsMode().equals(lsMode)) {
                throw fail(rel + " ls mode", lsMode, s.lsMode());
            }
            return this;
        }

        public FileAssert hasSize(long size) {
            Stat s = lstat();
            if (s.size() != size) {
                throw fail(rel + " st_size", size, s.size());
            }
            return this;
        }

        public FileAssert hasNlink(int nlink) {
            Stat s = lstat();
            if (s.nlink() != nlink) {
                throw fail(rel + " st_nlink", nlink, s.nlink());
            }
            return this;
        }

        public FileAssert isOwnedBy(int uid, int gid) {
            Stat s = lstat();
            if (s.uid() != uid || s.gid() != gid) {
                throw fail(rel + " owner", uid + ":" + gid, s.uid() + ":" + s.gid());
            }
            return this;
        }

        /**
         * Everything sysfs says about an attribute: a regular file of size 4096, nlink 1,
         * root:root, with {@code perm}.
         */
        public FileAssert isAttribute(int perm) {
            Stat s = lstat();
            String want = String.format("-%s size=4096 nlink=1 0:0", new Stat(Sys.S_IFREG | perm, 0, 0, 0, 0, 0, 0, 0)
                    .lsMode().substring(1));
            String got = String.format("%s size=%d nlink=%d %d:%d", s.lsMode(), s.size(), s.nlink(), s.uid(), s.gid());
            if (!want.equals(got)) {
                throw fail(rel + " should look like a sysfs attribute", want, got);
            }
            return this;
        }

        /** The exact content (trailing newline included). */
        public FileAssert hasContent(String expected) {
            String c = content();
            if (!c.equals(expected)) {
                throw fail(rel + " content: expected " + show(expected) + " but was " + show(c), expected, c);
            }
            return this;
        }

        /** The content read with many small reads of {@code chunk} bytes (cat-like paging). */
        public FileAssert hasContentReadInChunksOf(int chunk, String expected) {
            String c;
            try {
                c = Sys.read(path(), chunk);
            } catch (SysException e) {
                throw new AssertionFailedError("reading " + rel + " failed: " + e.getMessage());
            }
            if (!c.equals(expected)) {
                throw fail(rel + " content (reads of " + chunk + "): expected " + show(expected) + " but was "
                        + show(c), expected, c);
            }
            return this;
        }

        /** The whole content matches {@code regex} (DOTALL). */
        public FileAssert contentMatches(String regex) {
            String c = content();
            if (!Pattern.compile(regex, Pattern.DOTALL).matcher(c).matches()) {
                throw fail(rel + " content " + show(c) + " does not match /" + regex + "/", regex, c);
            }
            return this;
        }

        /** Opening for reading fails with {@code errno} (e.g. EACCES for a write-only attribute). */
        public FileAssert readFailsWith(Errno errno) {
            Errno got;
            try {
                client.read(rel);
                got = null;
            } catch (KernelException e) {
                got = e.errno();
            }
            if (got != errno) {
                throw fail(rel + ": reading should fail", errno.name(), got == null ? "success" : got.name());
            }
            return this;
        }

        /** readlink gives exactly {@code target} (relative, as sysfs makes them). */
        public FileAssert isLinkTo(String target) {
            String t;
            try {
                t = client.readlink(rel);
            } catch (KernelException e) {
                throw new AssertionFailedError(rel + ": readlink failed: " + e.getMessage());
            }
            if (!t.equals(target)) {
                throw fail(rel + " link target", target, t);
            }
            return this;
        }

        /** The link resolves (inside the mount) to {@code rel} of the same mount. */
        public FileAssert resolvesTo(Path expected) {
            Path real;
            try {
                real = path().toRealPath();
            } catch (java.io.IOException e) {
                throw new AssertionFailedError(rel + " does not resolve: " + e);
            }
            if (!real.equals(expected)) {
                throw fail(rel + " resolves to", expected.toString(), real.toString());
            }
            return this;
        }

        /** access(2) with {@code mask} succeeds. */
        public FileAssert isAccessible(int mask) {
            int r = Sys.access(path(), mask);
            if (r != 0) {
                throw fail(rel + ": access(" + mask + ")", "success", Sys.errnoName(-r));
            }
            return this;
        }

        /** access(2) with {@code mask} fails with {@code errno}. */
        public FileAssert isNotAccessible(int mask, Errno errno) {
            int r = Sys.access(path(), mask);
            if (r != -errno.userCode()) {
                throw fail(rel + ": access(" + mask + ")", errno.name(), Sys.errnoName(-r));
            }
            return this;
        }
    }

    /** Facts about a directory's entries. */
    public static final class DirAssert {
        private final SysfsClient client;
        private final String rel;

        DirAssert(SysfsClient client, String rel) {
            this.client = client;
            this.rel = rel;
        }

        /** The entries readdir returns, without {@code .} and {@code ..}, in readdir order. */
        public List<String> entries() {
            try {
                return new ArrayList<>(client.list(rel));
            } catch (KernelException e) {
                throw new AssertionFailedError(rel + ": " + e.getMessage());
            }
        }

        /** Exactly these entries (any order), besides . and .. */
        public DirAssert hasEntries(String... names) {
            List<String> got = new ArrayList<>(entries());
            List<String> want = new ArrayList<>(Arrays.asList(names));
            got.sort(null);
            want.sort(null);
            if (!got.equals(want)) {
                throw fail(rel + " entries", want, got);
            }
            return this;
        }

        public DirAssert containsEntries(String... names) {
            List<String> got = entries();
            for (String n : names) {
                if (!got.contains(n)) {
                    throw fail(rel + " should contain " + n, n, got);
                }
            }
            return this;
        }

        public DirAssert doesNotContainEntries(String... names) {
            List<String> got = entries();
            for (String n : names) {
                if (got.contains(n)) {
                    throw fail(rel + " should not contain " + n, "no " + n, got);
                }
            }
            return this;
        }
    }

    /** What a write did; check it with {@link #succeeds()} or {@link #failsWith(Errno)}. */
    public static final class WriteAssert {
        private final String rel;
        private final String value;
        private final SysfsClient.Write result;

        WriteAssert(String rel, String value, SysfsClient.Write result) {
            this.rel = rel;
            this.value = value;
            this.result = result;
        }

        public SysfsClient.Write result() {
            return result;
        }

        /** open, write (all bytes) and close succeeded. */
        public WriteAssert succeeds() {
            if (!result.ok() || result.written() != value.getBytes(StandardCharsets.ISO_8859_1).length) {
                throw fail("writing " + show(value) + " to " + rel, "success", result.toString());
            }
            return this;
        }

        /** The first failing step (open, then write) failed with {@code errno}. */
        public WriteAssert failsWith(Errno errno) {
            if (result.errno() != errno) {
                throw fail("writing " + show(value) + " to " + rel, errno.name() + " failure", result.toString());
            }
            return this;
        }

        /** open succeeded and write(2) failed with {@code errno} (the store refused). */
        public WriteAssert writeFailsWith(Errno errno) {
            if (result.openErrno() != null || result.writeErrno() != errno) {
                throw fail("writing " + show(value) + " to " + rel, "write failing with " + errno.name(),
                        result.toString());
            }
            return this;
        }

        /** open(2) itself failed with {@code errno} (permissions, absent file). */
        public WriteAssert openFailsWith(Errno errno) {
            if (result.openErrno() != errno) {
                throw fail("opening " + rel + " for writing", "open failing with " + errno.name(), result.toString());
            }
            return this;
        }
    }
}
