package org.apsysfs.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /proc/PID/mountinfo} ({@code show_mountinfo}, fs/proc_namespace.c) of the host: which
 * device ("MAJOR:MINOR", field 3) is mounted where (field 5, with {@code \040}-style octal
 * escapes of space, tab, newline and backslash).
 */
public final class Mountinfo {
    private Mountinfo() {
    }

    /** One mount: its device and its mount point (unescaped). */
    public record Mount(String dev, String mountPoint) {
    }

    /** The mounts {@code pid} ("self" or a number) sees; empty if there is no such process. */
    public static List<Mount> of(String pid) {
        List<Mount> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
                String[] f = l.split(" ");
                if (f.length > 4) {
                    out.add(new Mount(f[2], unescape(f[4])));
                }
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

    private static String unescape(String s) {
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
