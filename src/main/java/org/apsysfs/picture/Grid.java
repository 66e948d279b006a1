package org.apsysfs.picture;

import java.util.ArrayList;
import java.util.List;

/**
 * The picture as rows and columns to draw: one row per adapter and one column per domain, or,
 * when that does not fit, runs of neighbouring adapters (domains) whose cells are all alike
 * merged into one row (column) labelled with the range, e.g. {@code 10-ff} or {@code 0000-0003}.
 * Text, SVG and HTML draw the same grid.
 */
final class Grid {
    /** A column: the domains {@code first..last} (all alike when more than one). */
    record Col(String label, int first, int last, int count) { }

    /** A row: the adapters {@code first..last}, its label, its cells (one per column), the first adapter's cells. */
    record Row(String label, int first, int last, int count, List<Matrix.Cell> cells) { }

    final Matrix matrix;
    final List<Col> cols;
    final List<Row> rows;
    final List<Matrix.ControlCell> control;
    final boolean summarised;

    private Grid(Matrix matrix, List<Col> cols, List<Row> rows, List<Matrix.ControlCell> control, boolean summarised) {
        this.matrix = matrix;
        this.cols = cols;
        this.rows = rows;
        this.control = control;
        this.summarised = summarised;
    }

    /** Width of the row labels in characters. */
    int labelWidth() {
        int w = "control".length();
        for (Row r : rows) {
            w = Math.max(w, r.label().length());
        }
        return w;
    }

    /** Width of column {@code i} in characters (without the separating blank). */
    int colWidth(int i) {
        int w = cols.get(i).label().length();
        for (Row r : rows) {
            w = Math.max(w, r.cells().get(i).symbol().length());
        }
        return Math.max(w, control.get(i).symbol().length());
    }

    int width() {
        int w = labelWidth();
        for (int i = 0; i < cols.size(); i++) {
            w += 1 + colWidth(i);
        }
        return w;
    }

    /**
     * The grid of {@code m}; summarised (alike neighbours merged) when one column per domain
     * would be wider than {@code maxWidth} or there are more than {@code maxRows} adapters.
     */
    static Grid of(Matrix m, int maxWidth, int maxRows) {
        List<Integer> ds = m.domains();
        List<Matrix.Adapter> as = m.adapters();
        Grid full = build(m, singles(ds), as, false);
        if (full.width() <= maxWidth && as.size() <= maxRows) {
            return full;
        }
        // columns: merge runs of consecutive domains whose cells (and control cell) are alike
        List<int[]> colRuns = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            if (!colRuns.isEmpty()) {
                int[] run = colRuns.get(colRuns.size() - 1);
                if (ds.get(i) == ds.get(run[1]) + 1 && columnAlike(m, ds.get(run[0]), ds.get(i))) {
                    run[1] = i;
                    continue;
                }
            }
            colRuns.add(new int[] {i, i});
        }
        List<Integer> colPick = new ArrayList<>();
        List<Col> cols = new ArrayList<>();
        for (int[] r : colRuns) {
            int first = ds.get(r[0]);
            int last = ds.get(r[1]);
            colPick.add(first);
            cols.add(new Col(first == last ? String.format("%04x", first) : String.format("%04x-%04x", first, last),
                    first, last, r[1] - r[0] + 1));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < as.size(); i++) {
            Matrix.Adapter a = as.get(i);
            int j = i;
            while (j + 1 < as.size() && as.get(j + 1).id() == as.get(j).id() + 1 && rowAlike(m, a, as.get(j + 1))) {
                j++;
            }
            Matrix.Adapter last = as.get(j);
            String label = a.id() == last.id() ? String.format("%02x %s%s", a.id(), a.type(), a.marks())
                    : String.format("%02x-%02x %s%s", a.id(), last.id(), a.type(), a.marks());
            List<Matrix.Cell> cells = new ArrayList<>();
            for (int d : colPick) {
                cells.add(m.cell(a.id(), d));
            }
            rows.add(new Row(label.strip(), a.id(), last.id(), j - i + 1, cells));
            i = j;
        }
        List<Matrix.ControlCell> control = new ArrayList<>();
        for (int d : colPick) {
            control.add(controlOf(m, d));
        }
        return new Grid(m, cols, rows, control, true);
    }

    private static List<Col> singles(List<Integer> ds) {
        List<Col> cols = new ArrayList<>();
        for (int d : ds) {
            cols.add(new Col(String.format("%04x", d), d, d, 1));
        }
        return cols;
    }

    private static Grid build(Matrix m, List<Col> cols, List<Matrix.Adapter> as, boolean summarised) {
        List<Row> rows = new ArrayList<>();
        for (Matrix.Adapter a : as) {
            List<Matrix.Cell> cells = new ArrayList<>();
            for (Col c : cols) {
                cells.add(m.cell(a.id(), c.first()));
            }
            rows.add(new Row(String.format("%02x %s%s", a.id(), a.type(), a.marks()).strip(), a.id(), a.id(), 1, cells));
        }
        List<Matrix.ControlCell> control = new ArrayList<>();
        for (Col c : cols) {
            control.add(controlOf(m, c.first()));
        }
        return new Grid(m, cols, rows, control, summarised);
    }

    private static Matrix.ControlCell controlOf(Matrix m, int d) {
        for (Matrix.ControlCell c : m.control()) {
            if (c.domain() == d) {
                return c;
            }
        }
        throw new IllegalStateException("no control cell for domain " + d);
    }

    private static boolean columnAlike(Matrix m, int d1, int d2) {
        if (!controlOf(m, d1).symbol().equals(controlOf(m, d2).symbol())) {
            return false;
        }
        for (Matrix.Adapter a : m.adapters()) {
            if (!alike(m.cell(a.id(), d1), m.cell(a.id(), d2))) {
                return false;
            }
        }
        return true;
    }

    private static boolean rowAlike(Matrix m, Matrix.Adapter a1, Matrix.Adapter a2) {
        if (!a1.type().equals(a2.type()) || !a1.marks().equals(a2.marks())) {
            return false;
        }
        for (int d : m.domains()) {
            if (!alike(m.cell(a1.id(), d), m.cell(a2.id(), d))) {
                return false;
            }
        }
        return true;
    }

    private static boolean alike(Matrix.Cell a, Matrix.Cell b) {
        return a.kind() == b.kind() && a.symbol().equals(b.symbol());
    }
}
