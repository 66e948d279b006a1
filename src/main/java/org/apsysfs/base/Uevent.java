package org.apsysfs.base;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Uuids;

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
     * Parses "ACTION [UUID [KEY=VALUE ...]]" ({@code kobject_synth_uevent}) and records the
     * event. One trailing newline (or NUL) is ignored. Without arguments the event carries
     * {@code SYNTH_UUID=0}; with them, the first must be a UUID (36 characters, dashes at
     * 8, 13, 18, 23, hex digits elsewhere) and each further one {@code KEY=VALUE} with a
     * non-empty alphanumeric key and value, one space apart.
     *
     * @throws KernelException EINVAL with the kernel's "synth uevent" line: "unknown uevent
     *         action string" or "incorrect uevent action arguments"
     */
    static void synth(Kernel kernel, String devpath, String subsystem, String buf, List<String> env) {
        String s = cstr(buf);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        int sp = s.indexOf(' ');
        String action = sp < 0 ? s : s.substring(0, sp);
        if (!ACTIONS.contains(action)) {
            throw KernelException.of(Errno.EINVAL, "synth uevent: %s: unknown uevent action string", devpath);
        }
        List<String> e = new ArrayList<>(env);
        if (sp < 0) {
            e.add("SYNTH_UUID=0");
        } else if (!synthArgs(s.substring(sp + 1), e)) {
            throw KernelException.of(Errno.EINVAL, "synth uevent: %s: incorrect uevent action arguments", devpath);
        }
        kernel.uevents().send(action, devpath, subsystem, e);
    }

    /** {@code kobject_action_args}: adds SYNTH_UUID and SYNTH_ARG_* to {@code env}; false if malformed. */
    private static boolean synthArgs(String a, List<String> env) {
        if (!Uuids.isValid(a)) {
            return false;
        }
        List<String> out = new ArrayList<>();
        out.add("SYNTH_UUID=" + a.substring(0, Uuids.STRING_LEN));
        int i = Uuids.STRING_LEN;
        while (i < a.length()) {
            if (a.charAt(i) != ' ') {
                return false;
            }
            int key = i + 1;
            int eq = wordEnd(a, key, '=');
            if (eq < 0 || eq >= a.length()) {
                return false; // no key, a key that is not alphanumeric, or no '='
            }
            int value = eq + 1;
            int end = wordEnd(a, value, ' ');
            if (end < 0) {
                return false; // no value, or one that is not alphanumeric
            }
            out.add("SYNTH_ARG_" + a.substring(key, eq) + "=" + a.substring(value, end));
            i = end;
        }
        env.addAll(out);
        return true;
    }

    /** {@code action_arg_word_end}: the end of a non-empty alphanumeric word from {@code from} up to {@code delim} or the end; -1 if none. */
    private static int wordEnd(String a, int from, char delim) {
        int i = from;
        while (i < a.length() && a.charAt(i) != delim) {
            if (!isAlnum(a.charAt(i++))) {
                return -1;
            }
        }
        return i == from ? -1 : i;
    }

    private static boolean isAlnum(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
