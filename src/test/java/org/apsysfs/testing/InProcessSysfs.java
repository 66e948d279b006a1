package org.apsysfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Uevents;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * A sysfs client without FUSE: the same calls the FUSE edge makes ({@link Kernfs#lookup},
 * {@link Kernfs#open} as root, {@link KernfsOpenFile#read}/{@link KernfsOpenFile#write}),
 * with symbolic links followed as the VFS follows them. Paths are relative to the sysfs root
 * ("bus/ap/apmask", "/bus/ap/apmask" alike).
 *
 * <p>Also gives the uevents and kernel log lines since a {@link #mark()}, so a test can say
 * "this write sent exactly these events and logged this line".
 */
public final class InProcessSysfs {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;

    private final Daemon daemon;
    private final Kernfs fs;
    private long ueventMark;
    private int logMark;

    public InProcessSysfs(Daemon daemon) {
        this.daemon = daemon;
        this.fs = daemon.kernel().sysfs();
        mark();
    }

    public Daemon daemon() {
        return daemon;
    }

    // ------------------------------------------------------------------ paths

    /** Resolves a path following links in every component (like stat(2)); null if absent. */
    public KernfsNode resolve(String path) {
        KernfsNode n = fs.root();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            n = follow(n);
            if (!(n instanceof KernfsDir d)) {
                return null;
            }
            n = d.child(part);
            if (n == null) {
                return null;
            }
        }
        return follow(n);
    }

    private static KernfsNode follow(KernfsNode n) {
        int hops = 0;
        while (n instanceof KernfsLink l) {
            n = l.target();
            if (n == null || ++hops > 40) {
                return null;
            }
        }
        return n;
    }

    /** The node itself, without following a final link (like lstat(2)). */
    public KernfsNode lresolve(String path) {
        int slash = path.lastIndexOf('/');
        KernfsNode parent = slash <= 0 ? fs.root() : resolve(path.substring(0, slash));
        if (!(parent instanceof KernfsDir d)) {
            return null;
        }
        return d.child(path.substring(slash + 1));
    }

    public boolean exists(String path) {
        return resolve(path) != null;
    }

    public boolean isDir(String path) {
        return resolve(path) instanceof KernfsDir;
    }

    /** The text of a symbolic link, e.g. "../../../devices/ap/card04"; fails if not a link. */
    public String readlink(String path) {
        KernfsNode n = lresolve(path);
        if (!(n instanceof KernfsLink l)) {
            throw new AssertionError(path + " is not a symbolic link");
        }
        return l.targetPath();
    }

    /** The entries of a directory, sorted. */
    public List<String> ls(String path) {
        KernfsNode n = resolve(path);
        if (!(n instanceof KernfsDir d)) {
            throw new AssertionError(path + " is not a directory");
        }
        List<String> out = new ArrayList<>(d.list());
        out.sort(null);
        return out;
    }

    /** The mode bits (e.g. 0644) of the node, without following a final link. */
    public int mode(String path) {
        KernfsNode n = lresolve(path);
        if (n == null) {
            throw new AssertionError(path + " does not exist");
        }
        return n.mode() & 07777;
    }

    // ------------------------------------------------------------------ read / write

    /** Reads the whole attribute as {@code cat} does (one open, reads until EOF). */
    public String read(String path) {
        KernfsNode n = resolve(path);
        if (n == null) {
            throw new AssertionError(path + " does not exist");
        }
        KernfsOpenFile f = fs.open(n, O_RDONLY, Cred.ROOT);
        try {
            StringBuilder sb = new StringBuilder();
            long off = 0;
            while (true) {
                byte[] b = f.read(off, 4096);
                if (b.length == 0) {
                    return sb.toString();
                }
                sb.append(new String(b, StandardCharsets.ISO_8859_1));
                off += b.length;
            }
        } finally {
            f.release();
        }
    }

    /** The errno a read fails with, or null if it succeeds. */
    public Errno readErrno(String path) {
        try {
            read(path);
            return null;
        } catch (KernelException e) {
            return e.errno();
        }
    }

    /**
     * One open(O_WRONLY) + one write of {@code value} (bytes as given, ISO-8859-1) + close.
     *
     * @return null on success, else the errno of open or write
     */
    public Errno tryWrite(String path, String value) {
        KernfsNode n = resolve(path);
        if (n == null) {
            return Errno.ENOENT;
        }
        KernfsOpenFile f;
        try {
            f = fs.open(n, O_WRONLY, Cred.ROOT);
        } catch (KernelException e) {
            return e.errno();
        }
        try {
            byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
            int w = f.write(b, b.length);
            assertThat(w).as("bytes written to %s", path).isEqualTo(Math.min(b.length, KernfsOpenFile.PAGE_SIZE));
            return null;
        } catch (KernelException e) {
            return e.errno();
        } finally {
            f.release();
        }
    }

    /** Writes and asserts success. */
    public void write(String path, String value) {
        Errno e = tryWrite(path, value);
        if (e != null) {
            fail("write of '%s' to %s failed with %s; log: %s", value.replace("\n", "\\n"), path, e, logSinceMark());
        }
    }

    /** Writes and asserts that it fails with {@code expected}. */
    public void writeFails(String path, String value, Errno expected) {
        assertThat(tryWrite(path, value)).as("errno of writing '%s' to %s", value.replace("\n", "\\n"), path)
                .isEqualTo(expected);
    }

    // ------------------------------------------------------------------ events and log

    /** Forgets the events and log lines so far. */
    public void mark() {
        ueventMark = daemon.kernel().uevents().lastSeqnum();
        logMark = logLines().size();
    }

    /** The uevents sent since the last {@link #mark()}. */
    public List<Uevents.Event> ueventsSinceMark() {
        List<Uevents.Event> out = new ArrayList<>();
        for (Uevents.Event e : daemon.kernel().uevents().events()) {
            if (e.seqnum() > ueventMark) {
                out.add(e);
            }
        }
        return out;
    }

    /** The uevents since the mark as "action devpath KEY=V KEY=V" lines (env in order). */
    public List<String> ueventLines() {
        List<String> out = new ArrayList<>();
        for (Uevents.Event e : ueventsSinceMark()) {
            out.add(e.action() + " " + e.devpath() + (e.env().isEmpty() ? "" : " " + String.join(" ", e.env())));
        }
        return out;
    }

    /** Kernel log lines (without the timestamp) since the last {@link #mark()}. */
    public List<String> logSinceMark() {
        List<String> all = logLines();
        return new ArrayList<>(all.subList(Math.min(logMark, all.size()), all.size()));
    }

    private List<String> logLines() {
        List<String> out = new ArrayList<>();
        for (String l : daemon.kernel().log().text().split("\n")) {
            if (l.isEmpty()) {
                continue;
            }
            int close = l.indexOf("] ");
            out.add(close >= 0 && l.startsWith("[") ? l.substring(close + 2) : l);
        }
        return out;
    }
}
