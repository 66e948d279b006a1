package org.apsysfs.state;

import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.SysfsClient;

/**
 * The state layer's reads and writes of a tree, as root through {@link InProcessClient} (the
 * open/read/write/release path a user's {@code cat} and {@code echo} take): a restore replays
 * the writes that made a state, so every value passes the store's own checks. Adds what a
 * restore needs: values without their newline, refusals as {@link StateException}s that name
 * the state field.
 */
final class SysfsIo {
    private final InProcessClient client;

    SysfsIo(Kernfs fs) {
        this.client = new InProcessClient(fs);
    }

    boolean exists(String path) {
        return client.exists(path);
    }

    /** The whole content of an attribute; the value without its trailing newline. */
    String read(String path) {
        if (!client.exists(path)) {
            throw new IllegalStateException("no attribute " + path);
        }
        String s = client.read(path);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Writes {@code value} to {@code path} as one store.
     *
     * @param where the JSON path of the state field this write restores (for the message)
     * @throws StateException naming {@code where}, the file, the value and the errno if refused
     */
    void write(String where, String path, String value) {
        if (!client.exists(path)) {
            throw new StateException(where + ": cannot be restored: " + path + " does not exist");
        }
        SysfsClient.Write w = client.write(path, value);
        if (!w.ok()) {
            throw new StateException(where + ": cannot be restored: writing '" + value.strip() + "' to " + path
                    + " failed with " + w.errno().name() + (w.logLine() != null ? " (" + w.logLine() + ")" : ""));
        }
    }
}
