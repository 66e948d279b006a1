package org.apsysfs.scenarios;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shell transcript from {@code tests/scenarios/*.txt} (format: tests/scenarios/README.md):
 * comments, commands, and each command's expected output and exit status.
 */
public final class Scenario {
    private static final Pattern EXIT = Pattern.compile("\\[exit (\\d+)]");

    /** A comment block or a command with its expectations, in file order. */
    public sealed interface Part permits Comment, Command {
    }

    /** Comment lines without their "# " prefix. */
    public record Comment(List<String> lines) implements Part {
    }

    /** A command (lines joined with newlines), its expected output lines and exit status. */
    public record Command(String command, List<String> expected, int exit) implements Part {
    }

    private final String name;
    private final List<Part> parts;

    private Scenario(String name, List<Part> parts) {
        this.name = name;
        this.parts = parts;
    }

    public String name() {
        return name;
    }

    public List<Part> parts() {
        return parts;
    }

    public List<Command> commands() {
        return parts.stream().filter(Command.class::isInstance).map(Command.class::cast).toList();
    }

    static boolean isComment(String l) {
        return l.equals("#") || l.startsWith("# ");
    }

    public static Scenario parse(String name, String text) {
        List<Part> parts = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String l = lines[i];
            if (isComment(l)) {
                List<String> c = new ArrayList<>();
                while (i < lines.length && isComment(lines[i])) {
                    c.add(lines[i].equals("#") ? "" : lines[i].substring(2));
                    i++;
                }
                parts.add(new Comment(c));
            } else if (l.startsWith("$ ")) {
                StringBuilder cmd = new StringBuilder(l.substring(2));
                i++;
                while (i < lines.length && lines[i].startsWith("> ")) {
                    cmd.append('\n').append(lines[i].substring(2));
                    i++;
                }
                List<String> out = new ArrayList<>();
                while (i < lines.length && !lines[i].startsWith("$ ") && !isComment(lines[i])) {
                    out.add(lines[i]);
                    i++;
                }
                trimTrailingBlank(out);
                int exit = 0;
                if (!out.isEmpty()) {
                    Matcher m = EXIT.matcher(out.get(out.size() - 1));
                    if (m.matches()) {
                        exit = Integer.parseInt(m.group(1));
                        out.remove(out.size() - 1);
                        trimTrailingBlank(out);
                    }
                }
                parts.add(new Command(cmd.toString(), List.copyOf(out), exit));
            } else if (l.isBlank()) {
                i++;
            } else {
                throw new IllegalArgumentException(name + ":" + (i + 1) + ": expected a comment (\"# \") or a command (\"$ \"): " + l);
            }
        }
        return new Scenario(name, List.copyOf(parts));
    }

    static void trimTrailingBlank(List<String> out) {
        while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
            out.remove(out.size() - 1);
        }
    }

    /** True if {@code actual} matches {@code expected} ("..." matches any number of lines). */
    public static boolean matches(List<String> expected, List<String> actual) {
        return matches(expected, 0, actual, 0);
    }

    private static boolean matches(List<String> e, int i, List<String> a, int j) {
        if (i == e.size()) {
            return j == a.size();
        }
        if (e.get(i).equals("...")) {
            for (int k = j; k <= a.size(); k++) {
                if (matches(e, i + 1, a, k)) {
                    return true;
                }
            }
            return false;
        }
        return j < a.size() && e.get(i).equals(a.get(j)) && matches(e, i + 1, a, j + 1);
    }

    /** The transcript text with the given actual outputs in place of the expectations. */
    public String render(List<List<String>> outputs, List<Integer> exits) {
        StringBuilder sb = new StringBuilder();
        int c = 0;
        for (Part p : parts) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            if (p instanceof Comment cm) {
                for (String l : cm.lines()) {
                    sb.append(l.isEmpty() ? "#" : "# " + l).append('\n');
                }
            } else if (p instanceof Command cmd) {
                String[] cl = cmd.command().split("\n", -1);
                sb.append("$ ").append(cl[0]).append('\n');
                for (int k = 1; k < cl.length; k++) {
                    sb.append("> ").append(cl[k]).append('\n');
                }
                List<String> out = outputs == null ? cmd.expected() : outputs.get(c);
                int exit = exits == null ? cmd.exit() : exits.get(c);
                for (String l : out) {
                    sb.append(l).append('\n');
                }
                if (exit != 0) {
                    sb.append("[exit ").append(exit).append("]\n");
                }
                c++;
            }
        }
        return sb.toString().replaceAll("\n\n(?=\\$ )", "\n");
    }
}
