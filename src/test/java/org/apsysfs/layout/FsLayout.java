package org.apsysfs.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The tables of {@code fs-layout/*.md} (format: fs-layout/README.md), and their expansion
 * into the concrete paths a tree in a given state must show.
 */
public final class FsLayout {
    /** One table row. */
    public record Row(String source, String path, String kind, String mode, String target, String when) {
    }

    /** What one concrete path must be (or is): kind, permission bits (dir/file), link target. */
    public record Entry(String kind, int mode, String target) {
        @Override
        public String toString() {
            return kind + (kind.equals("link") ? " -> " + target : " " + String.format("%04o", mode));
        }
    }

    /** A card of the machine in a test state. */
    public record Card(String aa, String mode) {
    }

    /** A queue with the mode of its card and the driver it must be bound to ("none" if unbound). */
    public record Queue(String aa, String dddd, String mode, String driver) {
    }

    /** An mdev and its IOMMU group. */
    public record Mdev(String uuid, int group) {
    }

    /** A zcrypt device node made through {@code class/zcrypt/create}, and its minor. */
    public record Node(String name, int minor) {
    }

    /** The instances a state has. */
    public record State(List<Card> cards, List<Queue> queues, List<Mdev> mdevs, List<String> guests, List<Node> nodes) {
        public State(List<Card> cards, List<Queue> queues, List<Mdev> mdevs, List<String> guests) {
            this(cards, queues, mdevs, guests, List.of());
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(AA|DDDD|UUID|N|GUEST|NODE|MINOR)}");

    private FsLayout() {
    }

    /** All rows of all tables in {@code dir}/*.md. */
    public static List<Row> load(Path dir) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).trim();
                if (!l.startsWith("| `")) {
                    continue;
                }
                List<String> cells = cells(l);
                if (cells.size() != 5) {
                    throw new IllegalArgumentException(f.getFileName() + ":" + (i + 1) + ": expected 5 cells: " + l);
                }
                rows.add(new Row(f.getFileName() + ":" + (i + 1), unquote(cells.get(0)), cells.get(1),
                        cells.get(2), unquote(cells.get(3)), cells.get(4)));
            }
        }
        return rows;
    }

    /** Cells of a Markdown table row; {@code \|} is a literal bar. */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        String body = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0));
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length() && body.charAt(i + 1) == '|') {
                cur.append('|');
                i++;
            } else if (c == '|') {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().trim());
        return out;
    }

    static String unquote(String s) {
        return s.startsWith("`") && s.endsWith("`") && s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
    }

    /** The concrete paths {@code rows} describe in {@code state}. */
    public static Map<String, Entry> expand(List<Row> rows, State state) {
        Map<String, Entry> out = new TreeMap<>();
        for (Row r : rows) {
            for (Map<String, String> b : bindings(r.path(), state)) {
                if (!holds(r, b, state)) {
                    continue;
                }
                String path = substitute(r.path(), b);
                Entry e = switch (r.kind()) {
                    case "dir", "file" -> new Entry(r.kind(), Integer.parseInt(r.mode(), 8), null);
                    case "link" -> new Entry("link", 0777, substitute(r.target(), b));
                    default -> throw new IllegalArgumentException(r.source() + ": unknown kind " + r.kind());
                };
                Entry old = out.put(path, e);
                if (old != null) {
                    throw new IllegalArgumentException(r.source() + ": " + path + " described twice (" + old + ", " + e + ")");
                }
            }
        }
        return out;
    }

    /** Every binding of the placeholders in {@code path} to instances of {@code state}. */
    static List<Map<String, String>> bindings(String path, State state) {
        Matcher m = PLACEHOLDER.matcher(path);
        java.util.Set<String> names = new java.util.HashSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        List<Map<String, String>> acc = new ArrayList<>();
        acc.add(new TreeMap<>());
        if (names.contains("DDDD")) {
            acc = product(acc, state.queues().stream().map(q -> Map.of("AA", q.aa(), "DDDD", q.dddd())).toList());
        } else if (names.contains("AA")) {
            acc = product(acc, state.cards().stream().map(c -> Map.of("AA", c.aa())).toList());
        }
        if (names.contains("UUID")) {
            acc = product(acc, state.mdevs().stream().map(d -> Map.of("UUID", d.uuid(), "N", Integer.toString(d.group()))).toList());
        } else if (names.contains("N")) {
            acc = product(acc, state.mdevs().stream().map(d -> Map.of("N", Integer.toString(d.group()))).toList());
        }
        if (names.contains("GUEST")) {
            acc = product(acc, state.guests().stream().map(g -> Map.of("GUEST", g)).toList());
        }
        if (names.contains("NODE") || names.contains("MINOR")) {
            acc = product(acc, state.nodes().stream()
                    .map(n -> Map.of("NODE", n.name(), "MINOR", Integer.toString(n.minor()))).toList());
        }
        return acc;
    }

    private static List<Map<String, String>> product(List<Map<String, String>> a, List<Map<String, String>> b) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> x : a) {
            for (Map<String, String> y : b) {
                Map<String, String> m = new TreeMap<>(x);
                m.putAll(y);
                out.add(m);
            }
        }
        return out;
    }

    static String substitute(String pattern, Map<String, String> b) {
        String s = pattern;
        for (Map.Entry<String, String> e : b.entrySet()) {
            s = s.replace("{" + e.getKey() + "}", e.getValue());
        }
        if (PLACEHOLDER.matcher(s).find()) {
            throw new IllegalArgumentException("unbound placeholder in " + pattern);
        }
        return s;
    }

    /** Evaluates the "when" column for one binding. */
    static boolean holds(Row r, Map<String, String> b, State state) {
        String when = r.when().trim();
        if (when.startsWith("always")) {
            return true;
        }
        for (String term : when.split(",")) {
            String t = term.trim();
            String subject = t.substring(0, t.indexOf('.'));
            String rest = t.substring(t.indexOf('.') + 1);
            String key = rest.contains("=") ? rest.substring(0, rest.indexOf('=')) : rest;
            List<String> values = rest.contains("=") ? List.of(rest.substring(rest.indexOf('=') + 1).split("\\|")) : List.of();
            String actual;
            switch (subject) {
                case "card" -> {
                    Card c = state.cards().stream().filter(x -> x.aa().equals(b.get("AA"))).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(r.source() + ": no card in " + b));
                    actual = switch (key) {
                        case "mode" -> c.mode();
                        default -> throw new IllegalArgumentException(r.source() + ": unknown condition " + t);
                    };
                }
                case "queue" -> {
                    Queue q = state.queues().stream().filter(x -> x.aa().equals(b.get("AA")) && x.dddd().equals(b.get("DDDD")))
                            .findFirst().orElseThrow(() -> new IllegalArgumentException(r.source() + ": no queue in " + b));
                    actual = switch (key) {
                        case "mode" -> q.mode();
                        case "driver" -> q.driver();
                        case "bound" -> q.driver().equals("none") ? null : "yes";
                        default -> throw new IllegalArgumentException(r.source() + ": unknown condition " + t);
                    };
                }
                case "zcrypt" -> actual = switch (key) {
                    case "nodes" -> state.nodes().isEmpty() ? null : "yes";
                    default -> throw new IllegalArgumentException(r.source() + ": unknown condition " + t);
                };
                default -> throw new IllegalArgumentException(r.source() + ": unknown condition " + t);
            }
            boolean ok = values.isEmpty() ? actual != null : values.contains(actual);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
