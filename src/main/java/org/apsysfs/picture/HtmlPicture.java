package org.apsysfs.picture;

import java.util.List;

/**
 * The picture as HTML (a table whose cells carry the state as a class and the details as a
 * tooltip) and as SVG (the same grid drawn with rectangles), for documents and the live page.
 */
public final class HtmlPicture {
    private HtmlPicture() {
    }

    /** Fill colour per kind, in the order of {@link Matrix.Kind}. */
    private static final String[] FILL = {"#e4e4e4", "#9ecbff", "#d3e6ff", "#a8e6cf", "#dcf5ea", "#ffe08a",
        "#5cd65c", "#ff8a8a"};
    private static final String CONTROL_FILL = "#e8d5f5";

    /** The CSS the fragment needs. */
    public static String css() {
        StringBuilder sb = new StringBuilder();
        sb.append("table.apmatrix{border-collapse:collapse;font-family:monospace;font-size:14px}\n");
        sb.append("table.apmatrix td,table.apmatrix th{border:1px solid #fff;padding:3px 7px;text-align:center}\n");
        sb.append("table.apmatrix th.row{text-align:left}\n");
        for (Matrix.Kind k : Matrix.Kind.values()) {
            sb.append("td.").append(cls(k)).append("{background:").append(FILL[k.ordinal()]).append("}\n");
        }
        sb.append("td.ctl{background:").append(CONTROL_FILL).append("}\n");
        sb.append(".apnotes{font-family:sans-serif;font-size:13px;max-width:60em}\n");
        return sb.toString();
    }

    static String cls(Matrix.Kind k) {
        return k.name().toLowerCase().replace('_', '-');
    }

    /** The table, the mdevs, the notes and the legend, as an HTML fragment. */
    public static String fragment(Matrix m) {
        Grid g = Grid.of(m, 160, 40);
        StringBuilder sb = new StringBuilder();
        sb.append("<table class=\"apmatrix\" id=\"apmatrix\">\n<tr><th></th>");
        for (Grid.Col c : g.cols) {
            sb.append("<th>").append(esc(c.label())).append("</th>");
        }
        sb.append("</tr>\n");
        for (Grid.Row r : g.rows) {
            sb.append("<tr><th class=\"row\">").append(esc(r.label())).append("</th>");
            for (Matrix.Cell c : r.cells()) {
                sb.append("<td class=\"").append(cls(c.kind())).append("\" data-apqn=\"").append(c.apqn())
                        .append("\" title=\"").append(esc(c.apqn() + ": " + c.detail())).append("\">")
                        .append(esc(c.symbol())).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("<tr><th class=\"row\">control</th>");
        for (Matrix.ControlCell c : g.control) {
            sb.append("<td class=\"").append(c.mdevs().isEmpty() ? (c.inHost() ? "ctl" : "not-configured")
                    : c.inHost() ? "guest" : "filtered").append("\">").append(esc(c.symbol())).append("</td>");
        }
        sb.append("</tr>\n</table>\n<div class=\"apnotes\">\n");
        for (Matrix.Mdev md : m.mdevs()) {
            sb.append("<p>mdev ").append(md.number()).append(" = <code>").append(md.uuid()).append("</code>")
                    .append(md.guest() == null ? "" : ", open by " + esc(md.guest())).append("</p>\n");
        }
        for (Matrix.Note n : m.notes()) {
            sb.append("<p class=\"note\">mdev ").append(n.mdev()).append(' ').append(esc(n.text())).append("</p>\n");
        }
        for (String l : TextPicture.legend(m, g)) {
            sb.append("<p class=\"legend\">").append(esc(l)).append("</p>\n");
        }
        sb.append("</div>\n");
        return sb.toString();
    }

    /** A standalone HTML document. */
    public static String document(Matrix m) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>AP matrix</title>\n<style>\n" + css()
                + "</style></head><body>\n<h1>AP matrix</h1>\n" + fragment(m) + "</body></html>\n";
    }

    /** The grid as an SVG image (cells with tooltips, the notes and legend below). */
    public static String svg(Matrix m) {
        Grid g = Grid.of(m, 160, 40);
        int cw = 9; // character width of the monospace font at 15px, rounded up
        int lw = (g.labelWidth() + 2) * cw;
        int[] x = new int[g.cols.size() + 1];
        x[0] = lw;
        for (int i = 0; i < g.cols.size(); i++) {
            x[i + 1] = x[i] + (g.colWidth(i) + 2) * cw;
        }
        int rh = 24;
        int rows = g.rows.size() + 2;
        List<String> texts = new java.util.ArrayList<>();
        for (Matrix.Mdev md : m.mdevs()) {
            texts.add("mdev " + md.number() + " = " + md.uuid() + (md.guest() == null ? "" : ", open by " + md.guest()));
        }
        for (Matrix.Note n : m.notes()) {
            texts.addAll(List.of(TextPicture.wrap("mdev " + n.mdev() + " " + n.text(), 100, "  ").split("\n")));
        }
        for (String l : TextPicture.legend(m, g)) {
            texts.addAll(List.of(TextPicture.wrap(l, 100, "  ").split("\n")));
        }
        int width = Math.max(x[g.cols.size()] + 10, 100 * 8 + 20);
        int height = rows * rh + 20 + texts.size() * 18 + 10;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" font-family=\"monospace\" font-size=\"15\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (int i = 0; i < g.cols.size(); i++) {
            text(sb, (x[i] + x[i + 1]) / 2, rh - 7, g.cols.get(i).label(), "middle", true);
        }
        int y = rh;
        for (Grid.Row r : g.rows) {
            text(sb, 4, y + rh - 7, r.label(), "start", true);
            for (int i = 0; i < r.cells().size(); i++) {
                Matrix.Cell c = r.cells().get(i);
                sb.append("<g><title>").append(esc(c.apqn() + ": " + c.detail())).append("</title>");
                rect(sb, x[i], y, x[i + 1] - x[i], rh, FILL[c.kind().ordinal()]);
                text(sb, (x[i] + x[i + 1]) / 2, y + rh - 7, c.symbol(), "middle", false);
                sb.append("</g>\n");
            }
            y += rh;
        }
        text(sb, 4, y + rh - 7, "control", "start", true);
        for (int i = 0; i < g.control.size(); i++) {
            Matrix.ControlCell c = g.control.get(i);
            String fill = c.mdevs().isEmpty() ? (c.inHost() ? CONTROL_FILL : FILL[0])
                    : c.inHost() ? FILL[Matrix.Kind.GUEST.ordinal()] : FILL[Matrix.Kind.FILTERED.ordinal()];
            rect(sb, x[i], y, x[i + 1] - x[i], rh, fill);
            text(sb, (x[i] + x[i + 1]) / 2, y + rh - 7, c.symbol(), "middle", false);
        }
        y += rh + 28;
        for (String t : texts) {
            sb.append("<text x=\"4\" y=\"").append(y).append("\" font-size=\"13\" xml:space=\"preserve\">")
                    .append(esc(t)).append("</text>\n");
            y += 18;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void rect(StringBuilder sb, int x, int y, int w, int h, String fill) {
        sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w)
                .append("\" height=\"").append(h).append("\" fill=\"").append(fill)
                .append("\" stroke=\"#ffffff\" stroke-width=\"2\"/>");
    }

    private static void text(StringBuilder sb, int x, int y, String s, String anchor, boolean bold) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append('"').append(bold ? " font-weight=\"bold\"" : "").append(" xml:space=\"preserve\">")
                .append(esc(s)).append("</text>");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
