package org.apsysfs.base;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/** Synthetic uevents written to {@code uevent} files ({@code kobject_synth_uevent}). */
public final class Uevent {
    private static final List<String> ACTIONS = List.of("add", "remove", "change", "move", "online", "offline", "bind", "unbind");

    private Uevent() {
    }

    /** The string up to the first NUL byte, as C code sees a sysfs buffer. */
    public static String cstr(String buf) {
        int z = buf.indexOf('\0');
        return z < 0 ? buf : buf.substring(0, z);
    }

    /**
     * Parses "ACTION [UUID [KEY=VALUE ...]]" and records the event; an unknown action is
     * EINVAL with the kernel's "synth uevent" line.
     */
    static void synth(Kernel kernel, String devpath, String subsystem, String buf, List<String> env) {
        String s = cstr(buf);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        String[] parts = s.split(" ", -1);
        String action = parts[0];
        if (!ACTIONS.contains(action)) {
            throw KernelException.of(Errno.EINVAL, "synth uevent: %s: unknown uevent action string", devpath);
        }
        List<String> e = new ArrayList<>(env);
        if (parts.length > 1) {
            e.add("SYNTH_UUID=" + parts[1]);
            for (int i = 2; i < parts.length; i++) {
                if (!parts[i].contains("=")) {
                    throw KernelException.of(Errno.EINVAL, "synth uevent: %s: failed to send uevent", devpath);
                }
                e.add("SYNTH_ARG_" + parts[i]);
            }
        } else {
            e.add("SYNTH_UUID=0");
        }
        kernel.uevents().send(action, devpath, subsystem, e);
    }
}
