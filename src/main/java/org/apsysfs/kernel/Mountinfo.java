package org.apsysfs.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /proc/PID/mountinfo} ({@code show_mountinfo}, fs/proc_namespace.c) of the host: which
 * device ("MAJOR:MINOR", field 3) is mounted where (field 5, with {@code \040}-style octal
 * escapes of space, tab, newline and backslash), with which file system type and source (after
 * the " - " separator) and, for FUSE, the owner ({@code user_id=} of the super options). The one
 * parser of that format in the daemon.
 */
public final class Mountinfo {
    private Mountinfo() {
    }

    /** One mount: its device, mount point and source (unescaped), type, FUSE owner (-1: none). */
    public record Mount(String dev, String mountPoint, String fstype, String source, int userId) {
    }

    /** The mounts {@code pid} ("self" or a number) sees; empty if there is no such process. */
    public static List<Mount> of(String pid) {
        List<Mount> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
                // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
                String[] f = l.split(" ");
                int sep = l.indexOf(" - ");
                if (f.length <= 4) {
                    continue;
                }
                String[] t = sep < 0 ? new String[0] : l.substring(sep + 3).split(" ");
                out.add(new Mount(f[2], unescape(f[4]), t.length > 0 ? t[0] : "",
                        t.length > 1 ? unescape(t[1]) : "", t.length > 2 ? userId(t[2]) : -1));
            }
        } catch (IOException | RuntimeException e) {
            // no such process (or it went away while being read): nothing mounted
        }
        return out;
    }

    /** The device mounted at {@code mountPoint} as this process sees it (the last such mount), or null. */
    public static String deviceAt(Path mountPoint) {
        String mp = mountPoint.toAbsolutePath().normalize().toString();
        String dev = null;
        for (Mount m : of("self")) {
            if (m.mountPoint().equals(mp)) {
                dev = m.dev();
            }
        }
        return dev;
    }

    private static int userId(String superOpts) {
        for (String o : superOpts.split(",")) {
            if (o.startsWith("user_id=")) {
                try {
                    return Integer.parseInt(o.substring(8));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Undoes the octal escapes ({@code \040} for a blank, ...) of a mountinfo field. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
