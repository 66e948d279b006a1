package org.apsysfs.kernel;

/** Renders written bytes for a log line: printable ASCII as is, {@code \n} and others escaped, cut at 72. */
public final class Printable {
    private Printable() {
    }

    public static String of(String buf) {
        StringBuilder sb = new StringBuilder();
        for (char c : buf.toCharArray()) {
            if (sb.length() > 72) {
                sb.append("...");
                break;
            }
            sb.append(c == '\n' ? "\\n" : c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
