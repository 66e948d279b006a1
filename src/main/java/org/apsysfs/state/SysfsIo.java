package org.apsysfs.state;

import java.nio.charset.StandardCharsets;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * Reads and writes attributes of a tree in-process, as root and through the same open/read/
 * write/release path a user's {@code cat} and {@code echo} take: a restore replays the writes
 * that made a state, so every value passes the store's own checks.
 */
final class SysfsIo {
    private final Kernfs fs;

    SysfsIo(Kernfs fs) {
        this.fs = fs;
    }

    boolean exists(String path) {
        return fs.lookup(path) != null;
    }

    /** The whole content of an attribute; the value without its trailing newline. */
    String read(String path) {
        KernfsNode n = fs.lookup(path);
        if (!(n instanceof KernfsAttr)) {
            throw new IllegalStateException("no attribute " + path);
        }
        KernfsOpenFile of = fs.open(n, 0, Cred.ROOT);
        try {
            String s = new String(of.read(0, Integer.MAX_VALUE), StandardCharsets.ISO_8859_1);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } finally {
            of.release();
        }
    }

    /**
     * Writes {@code value} to {@code path} as one store.
     *
     * @param where the JSON path of the state field this write restores (for the message)
     * @throws StateException naming {@code where}, the file, the value and the errno if refused
     */
    void write(String where, String path, String value) {
        KernfsNode n = fs.lookup(path);
        if (!(n instanceof KernfsAttr)) {
            throw new StateException(where + ": cannot be restored: " + path + " does not exist");
        }
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        try {
            KernfsOpenFile of = fs.open(n, 1, Cred.ROOT);
            try {
                of.write(b, b.length, 0);
            } finally {
                of.release();
            }
        } catch (KernelException e) {
            throw new StateException(where + ": cannot be restored: writing '" + value.strip() + "' to " + path
                    + " failed with " + e.errno().name()
                    + (e.logLine() != null ? " (" + e.logLine() + ")" : ""), e);
        }
    }
}
