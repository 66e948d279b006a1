package org.apsysfs.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apsysfs.sysfs.SysfsPaths;

/**
 * What must hold in every state, checked on a {@link TreeSnapshot}:
 *
 * <ul>
 * <li>no APQN is in two mdevs' {@code matrix};</li>
 * <li>each mdev's {@code guest_matrix} is within its {@code matrix} (adapters and domains);</li>
 * <li>{@code bus/ap/bindings} B/A agrees with the queue links under {@code bus/ap/devices}
 *     (A) and {@code bus/ap/drivers/*} (B), with " (complete)" iff B == A;</li>
 * <li>{@code hazards} and {@code lockdep_reports} are empty;</li>
 * <li>every symbolic link points at something that exists.</li>
 * </ul>
 */
final class Invariants {
    private static final Pattern BINDINGS = Pattern.compile("(\\d+)/(\\d+)( \\(complete\\))?\n");
    private static final String MATRIX = "/" + SysfsPaths.MATRIX;

    private Invariants() {
    }

    /** A parsed {@code matrix}/{@code guest_matrix}: adapters, domains and the APQNs. */
    record Matrix(Set<Integer> adapters, Set<Integer> domains, Set<Integer> apqns) {
        static Matrix parse(String text) {
            Set<Integer> a = new TreeSet<>();
            Set<Integer> d = new TreeSet<>();
            Set<Integer> q = new TreeSet<>();
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int dot = line.indexOf('.');
                String ap = line.substring(0, dot);
                String dom = line.substring(dot + 1);
                if (!ap.isEmpty()) {
                    a.add(Integer.parseInt(ap, 16));
                }
                if (!dom.isEmpty()) {
                    d.add(Integer.parseInt(dom, 16));
                }
                if (!ap.isEmpty() && !dom.isEmpty()) {
                    q.add(Integer.parseInt(ap, 16) << 16 | Integer.parseInt(dom, 16));
                }
            }
            return new Matrix(a, d, q);
        }
    }

    static List<String> check(TreeSnapshot s) {
        List<String> broken = new ArrayList<>();
        mdevs(s, broken);
        if (s.has("/bus/ap/devices")) {
            bindings(s, broken);
        }
        for (String f : List.of("/kernel/debug/apsysfs/hazards", "/kernel/debug/apsysfs/lockdep_reports")) {
            if (s.has(f) && !s.content(f).isEmpty()) {
                broken.add(f + " is not empty: " + clip(s.content(f)));
            }
        }
        if (s.has("/")) {
            links(s, broken); // whole-tree snapshots only
        }
        return broken;
    }

    private static void mdevs(TreeSnapshot s, List<String> broken) {
        Map<Integer, String> owner = new HashMap<>();
        for (String u : s.children("/devices/vfio_ap/matrix")) {
            if (!Fuzzer.UUID.matcher(u).matches() || !s.has(MATRIX + u + "/matrix")) {
                continue;
            }
            Matrix m;
            Matrix g;
            try {
                m = Matrix.parse(s.content(MATRIX + u + "/matrix"));
                g = Matrix.parse(s.content(MATRIX + u + "/guest_matrix"));
            } catch (RuntimeException e) {
                broken.add("mdev " + u + ": matrix or guest_matrix unparsable: " + e);
                continue;
            }
            for (int apqn : m.apqns()) {
                String other = owner.putIfAbsent(apqn, u);
                if (other != null) {
                    broken.add(String.format("APQN %02x.%04x is in the matrix of %s and of %s", apqn >> 16, apqn & 0xffff, other, u));
                }
            }
            if (!m.adapters().containsAll(g.adapters()) || !m.domains().containsAll(g.domains())) {
                broken.add("mdev " + u + ": guest_matrix " + g.adapters() + "x" + g.domains() + " not within matrix "
                        + m.adapters() + "x" + m.domains());
            }
        }
    }

    private static void bindings(TreeSnapshot s, List<String> broken) {
        String text = s.content("/bus/ap/bindings");
        Matcher mt = BINDINGS.matcher(text);
        if (!mt.matches()) {
            broken.add("bus/ap/bindings reads " + clip(text));
            return;
        }
        int a = 0;
        for (String c : s.children("/bus/ap/devices")) {
            if (Fuzzer.QUEUE.matcher(c).matches()) {
                a++;
            }
        }
        int b = 0;
        for (String drv : s.children("/bus/ap/drivers")) {
            for (String c : s.children("/bus/ap/drivers/" + drv)) {
                if (Fuzzer.QUEUE.matcher(c).matches()) {
                    b++;
                }
            }
        }
        int sb = Integer.parseInt(mt.group(1));
        int sa = Integer.parseInt(mt.group(2));
        boolean complete = mt.group(3) != null;
        if (sb != b || sa != a || complete != (b == a)) {
            broken.add("bus/ap/bindings reads " + clip(text) + " but there are " + b + " driver links to " + a + " queues");
        }
    }

    private static void links(TreeSnapshot s, List<String> broken) {
        for (var e : s.entries.entrySet()) {
            String v = e.getValue();
            if (!v.startsWith("L ")) {
                continue;
            }
            String target = v.substring(2);
            Path link = Path.of(e.getKey());
            String resolved = (target.startsWith("/") ? Path.of(target) : link.getParent().resolve(target)).normalize().toString();
            if (!s.has(resolved) && !s.entries.containsKey(resolved)) {
                broken.add("dangling link " + e.getKey() + " -> " + target);
            }
        }
    }

    private static String clip(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
