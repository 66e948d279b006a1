package org.apsysfs.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel command line ({@code /proc/cmdline}) as the simulated host boots with it: words
 * separated by blanks, {@code name=value} parameters of built-in modules
 * ({@code module.param=value}, as {@code parse_args} in kernel/params.c takes them; a later
 * word wins over an earlier one of the same name). The subsystems that own the parameters
 * check their values.
 */
public final class Cmdline {
    /** The parameters this simulated kernel knows. */
    public static final List<String> KNOWN = List.of("ap.apmask", "ap.aqmask");

    private static final Cmdline EMPTY = new Cmdline("", Map.of());

    private final String text;
    private final Map<String, String> params;

    private Cmdline(String text, Map<String, String> params) {
        this.text = text;
        this.params = params;
    }

    /** The empty command line. */
    public static Cmdline empty() {
        return EMPTY;
    }

    /**
     * Parses {@code line} (one trailing newline allowed).
     *
     * @throws KernelException EINVAL with a log line for a word that is not a known
     *     {@code name=value} parameter, or a value with a character below blank
     */
    public static Cmdline parse(String line) {
        String s = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
        Map<String, String> params = new LinkedHashMap<>();
        StringBuilder norm = new StringBuilder();
        for (String w : s.strip().split("[ \t]+")) {
            if (w.isEmpty()) {
                continue;
            }
            for (int i = 0; i < w.length(); i++) {
                if (w.charAt(i) < ' ' || w.charAt(i) > '~') {
                    throw KernelException.of(Errno.EINVAL, "apsysfs: reboot: refused: '%s' has a character that is "
                            + "not printable ASCII; nothing changed", Printable.of(w));
                }
            }
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (!KNOWN.contains(name)) {
                throw KernelException.of(Errno.EINVAL, "apsysfs: reboot: refused: unknown parameter '%s' (known: %s); "
                        + "nothing changed", Printable.of(name), String.join("=, ", KNOWN) + "=");
            }
            if (eq < 0) {
                throw KernelException.of(Errno.EINVAL, "apsysfs: reboot: refused: %s needs a value (%s=...); "
                        + "nothing changed", name, name);
            }
            params.remove(name);
            params.put(name, w.substring(eq + 1));
            if (norm.length() > 0) {
                norm.append(' ');
            }
            norm.append(w);
        }
        return new Cmdline(norm.toString(), Collections.unmodifiableMap(params));
    }

    /** The value of {@code name}, or null. */
    public String get(String name) {
        return params.get(name);
    }

    /** The words, one blank apart (what {@code /proc/cmdline} shows, without its newline). */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
