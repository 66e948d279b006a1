package org.apsysfs.picture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The picture as text: a grid of adapters (rows) × domains (columns), the control domains as a
 * last row, the mdevs, why adapters were filtered, and a legend of the symbols used; with ANSI
 * colours when asked. Fits {@code width} columns: a large machine is summarised.
 */
public final class TextPicture {
    /** Terminal colours (SGR parameters) per kind, also the classes' order in the legend. */
    static final Map<Matrix.Kind, String> SGR = new LinkedHashMap<>();

    static {
        SGR.put(Matrix.Kind.NOT_CONFIGURED, "90");
        SGR.put(Matrix.Kind.HOST, "34");
        SGR.put(Matrix.Kind.HOST_UNBOUND, "2;34");
        SGR.put(Matrix.Kind.FREE, "36");
        SGR.put(Matrix.Kind.FREE_UNBOUND, "2;36");
        SGR.put(Matrix.Kind.ASSIGNED, "1;33");
        SGR.put(Matrix.Kind.GUEST, "1;32");
        SGR.put(Matrix.Kind.FILTERED, "1;31");
    }

    static final String CONTROL_SGR = "35";

    private TextPicture() {
    }

    /** The picture of {@code m} in at most {@code width} columns, coloured if {@code color}. */
    public static String render(Matrix m, int width, boolean color) {
        return render(m, width, color, true);
    }

    /** As {@link #render(Matrix, int, boolean)}, without the legend unless {@code withLegend}. */
    public static String render(Matrix m, int width, boolean color, boolean withLegend) {
        Grid g = Grid.of(m, width, 32);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("AP matrix: %d adapter%s x %d domain%s, %d mdev%s%s%n", m.adapters().size(),
                m.adapters().size() == 1 ? "" : "s", m.domains().size(), m.domains().size() == 1 ? "" : "s",
                m.mdevs().size(), m.mdevs().size() == 1 ? "" : "s",
                g.summarised ? " (alike neighbours merged)" : ""));
        sb.append('\n');
        int lw = g.labelWidth() + 1;
        // as many columns as fit
        int shown = 0;
        int w = lw;
        for (int i = 0; i < g.cols.size(); i++) {
            if (w + 1 + g.colWidth(i) > width - (i + 1 < g.cols.size() ? 4 : 0)) {
                break;
            }
            w += 1 + g.colWidth(i);
            shown++;
        }
        boolean cut = shown < g.cols.size();
        StringBuilder head = new StringBuilder(pad("", lw));
        for (int i = 0; i < shown; i++) {
            head.append(' ').append(pad(g.cols.get(i).label(), g.colWidth(i)));
        }
        if (cut) {
            head.append(" +").append(g.cols.size() - shown);
        }
        sb.append(head.toString().stripTrailing()).append('\n');
        for (Grid.Row r : g.rows) {
            StringBuilder line = new StringBuilder(pad(r.label(), lw));
            for (int i = 0; i < shown; i++) {
                Matrix.Cell c = r.cells().get(i);
                line.append(' ').append(paint(pad(c.symbol(), g.colWidth(i)), SGR.get(c.kind()), color));
            }
            sb.append(stripTrailing(line.toString())).append('\n');
        }
        StringBuilder ctl = new StringBuilder(pad("control", lw));
        for (int i = 0; i < shown; i++) {
            Matrix.ControlCell c = g.control.get(i);
            String sgr = c.mdevs().isEmpty() ? (c.inHost() ? CONTROL_SGR : SGR.get(Matrix.Kind.NOT_CONFIGURED))
                    : c.inHost() ? SGR.get(Matrix.Kind.GUEST) : SGR.get(Matrix.Kind.FILTERED);
            ctl.append(' ').append(paint(pad(c.symbol(), g.colWidth(i)), sgr, color));
        }
        sb.append(stripTrailing(ctl.toString())).append('\n');

        if (!m.mdevs().isEmpty() || !m.notes().isEmpty()) {
            sb.append('\n');
        }
        for (Matrix.Mdev md : m.mdevs()) {
            sb.append(wrap(String.format("mdev %d = %s%s", md.number(), md.uuid(),
                    md.guest() == null ? "" : ", open by " + (md.guest().equals("a guest") ? "a guest"
                            : "guest " + md.guest())), width, "  "));
        }
        for (Matrix.Note n : m.notes()) {
            sb.append(wrap(String.format("mdev %d %s", n.mdev(), n.text()), width, "  "));
        }
        if (withLegend) {
            sb.append("\nLegend:\n");
            for (String l : legend(m, g)) {
                sb.append(wrap("  " + l, width, "      "));
            }
        }
        return sb.toString();
    }

    /** The legend: one line per symbol class the picture uses, symbol first. */
    static List<String> legend(Matrix m, Grid g) {
        List<String> out = new ArrayList<>();
        boolean[] kinds = new boolean[Matrix.Kind.values().length];
        boolean[] whys = new boolean[Matrix.Why.values().length];
        boolean[] marks = new boolean[3];
        for (Grid.Row r : g.rows) {
            for (Matrix.Cell c : r.cells()) {
                kinds[c.kind().ordinal()] = true;
                if (c.why() != null) {
                    whys[c.why().ordinal()] = true;
                }
                marks(c.marks(), marks);
            }
            marks(r.label(), marks);
        }
        for (Matrix.Kind k : SGR.keySet()) {
            if (kinds[k.ordinal()] && k != Matrix.Kind.FILTERED) {
                out.add(pad(k.symbol(), 4) + k.meaning());
            }
        }
        for (Matrix.Why y : Matrix.Why.values()) {
            if (whys[y.ordinal()]) {
                out.add(pad("N" + y.symbol(), 4) + "assigned to mdev N, " + y.meaning());
            }
        }
        String[] ms = {"offline", "configured off", "check-stopped"};
        String[] sym = {"~", "%", "#"};
        for (int i = 0; i < 3; i++) {
            if (marks[i]) {
                out.add(pad(sym[i], 4) + ms[i] + " (after a symbol or an adapter)");
            }
        }
        out.add(pad("c", 4) + "control row: a control domain of the host; N: assigned to mdev N as one");
        for (String c : m.caveats()) {
            out.add(pad("*", 4) + c);
        }
        return out;
    }

    private static void marks(String s, boolean[] marks) {
        marks[0] |= s.indexOf('~') >= 0;
        marks[1] |= s.indexOf('%') >= 0;
        marks[2] |= s.indexOf('#') >= 0;
    }

    static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String paint(String s, String sgr, boolean color) {
        if (!color || sgr == null) {
            return s;
        }
        String t = s.stripTrailing();
        return "\033[" + sgr + "m" + t + "\033[0m" + s.substring(t.length());
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }

    /** {@code s} wrapped at blanks to {@code width}, continuation lines indented by {@code indent}. */
    static String wrap(String s, int width, String indent) {
        StringBuilder out = new StringBuilder();
        String rest = s;
        int lead = s.length() - s.stripLeading().length();
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= Math.max(lead, indent.length())) {
                cut = rest.indexOf(' ', width);
                if (cut < 0) {
                    break;
                }
            }
            out.append(rest, 0, cut).append('\n');
            rest = indent + rest.substring(cut + 1).stripLeading();
            lead = indent.length();
        }
        return out.append(rest).append('\n').toString();
    }
}
