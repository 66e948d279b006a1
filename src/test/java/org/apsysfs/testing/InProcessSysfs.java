package org.apsysfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Uevents;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;
import org.apsysfs.sysfs.SysfsClient;

/**
 * A test's view of a booted system without FUSE: reads and writes through the one in-process
 * {@link InProcessClient} (the calls the FUSE edge makes), with assertions on top. Paths are
 * relative to the sysfs root ("bus/ap/apmask", "/bus/ap/apmask" alike).
 *
 * <p>Also gives the uevents and kernel log lines since a {@link #mark()}, so a test can say
 * "this write sent exactly these events and logged this line".
 */
public final class InProcessSysfs {
    private final Daemon daemon;
    private final InProcessClient client;
    private long ueventMark;
    private int logMark;

    public InProcessSysfs(Daemon daemon) {
        this.daemon = daemon;
        this.client = new InProcessClient(daemon.kernel().sysfs());
        mark();
    }

    public Daemon daemon() {
        return daemon;
    }

    /** The one in-process client all of this reads and writes through. */
    public InProcessClient client() {
        return client;
    }

    // ------------------------------------------------------------------ paths

    /** Resolves a path following links in every component (like stat(2)); null if absent. */
    public KernfsNode resolve(String path) {
        return client.resolve(path);
    }

    /** The node itself, without following a final link (like lstat(2)). */
    public KernfsNode lresolve(String path) {
        return client.lresolve(path);
    }

    public boolean exists(String path) {
        return client.exists(path);
    }

    public boolean isDir(String path) {
        return resolve(path) instanceof KernfsDir;
    }

    /** The text of a symbolic link, e.g. "../../../devices/ap/card04"; fails if not a link. */
    public String readlink(String path) {
        if (!(lresolve(path) instanceof KernfsLink)) {
            throw new AssertionError(path + " is not a symbolic link");
        }
        return client.readlink(path);
    }

    /** The entries of a directory, sorted. */
    public List<String> ls(String path) {
        if (!isDir(path)) {
            throw new AssertionError(path + " is not a directory");
        }
        List<String> out = new ArrayList<>(client.list(path));
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
        if (!exists(path)) {
            throw new AssertionError(path + " does not exist");
        }
        return client.read(path);
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
        SysfsClient.Write w = client.write(path, value);
        if (w.ok()) {
            assertThat(w.written()).as("bytes written to %s", path)
                    .isEqualTo(Math.min(value.length(), KernfsOpenFile.PAGE_SIZE));
        }
        return w.errno();
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
