package org.apsysfs.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysException;

/**
 * Everything a reader of the tree can observe, as one sorted map: for each path its kind and
 * mode, a link's target, a readable file's content (or the errno its read fails with). Two
 * snapshots are equal iff nothing observable changed (file times aside).
 *
 * <p>Taken in-process ({@link #of(Kernfs, Predicate)}: the same show callbacks a read through the
 * mount calls, a few ms for the default machine) or through the mount ({@link #ofMount}: real
 * readdir/lstat/readlink/open/read, about 0.2 s); the fuzzer takes the first after every write
 * and checks it against the second at checkpoints.
 */
public final class TreeSnapshot {
    /**
     * Files whose content changes without anything being written: the kernel log, the uevent
     * record, the durations of stores (every write, accepted or not, adds a line) and the
     * lock-dependency graph (a rejected write may still take locks in a new order; the graph
     * only grows). {@code lockdep_reports} and {@code hazards} stay in: they must remain empty.
     */
    public static final Set<String> EVER_CHANGING = Set.of("/kernel/debug/apsysfs/dmesg", "/kernel/debug/apsysfs/uevents",
            "/kernel/debug/apsysfs/store_times", "/kernel/debug/apsysfs/lockdep");

    static final Predicate<String> DEFAULT_EXCLUDED = EVER_CHANGING::contains;

    final TreeMap<String, String> entries;

    private TreeSnapshot(TreeMap<String, String> entries) {
        this.entries = entries;
    }

    /** In-process: walks the kernfs tree from the root. */
    public static TreeSnapshot of(Kernfs fs, Predicate<String> excluded) {
        TreeMap<String, String> out = new TreeMap<>();
        walk(fs.root(), "", out, excluded, null);
        return new TreeSnapshot(out);
    }

    /**
     * In-process, only the given roots (absolute paths; for the full machine): a directory
     * recursively, {@code DIR/*} the files directly in DIR (no subdirectories, no links).
     */
    static TreeSnapshot of(Kernfs fs, Predicate<String> excluded, List<String> roots) {
        if (roots == null) {
            return of(fs, excluded);
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (String r : roots) {
            boolean flat = r.endsWith("/*");
            String p = flat ? r.substring(0, r.length() - 2) : r;
            KernfsNode n = fs.lookup(p);
            if (n instanceof KernfsDir d && flat) {
                for (String name : d.list()) {
                    KernfsNode c = d.child(name);
                    if (c instanceof KernfsAttr) {
                        out.put(p + "/" + name, excluded.test(p + "/" + name)
                                ? "F " + Integer.toOctalString(c.mode()) + " (not compared)" : describe(c));
                    }
                }
            } else if (n instanceof KernfsDir d) {
                walk(d, p, out, excluded, null);
            } else if (n != null) {
                out.put(p, describe(n));
            } else {
                out.put(p, "absent");
            }
        }
        return new TreeSnapshot(out);
    }

    private static void walk(KernfsDir dir, String path, Map<String, String> out, Predicate<String> excluded,
            String unused) {
        out.put(path.isEmpty() ? "/" : path, "D " + Integer.toOctalString(dir.mode()));
        for (String name : dir.list()) {
            String p = path + "/" + name;
            KernfsNode n = dir.child(name);
            if (n == null) {
                continue; // removed while walking
            }
            if (n instanceof KernfsDir d) {
                walk(d, p, out, excluded, null);
            } else if (excluded.test(p)) {
                out.put(p, "F " + Integer.toOctalString(n.mode()) + " (not compared)");
            } else {
                out.put(p, describe(n));
            }
        }
    }

    private static String describe(KernfsNode n) {
        if (n instanceof KernfsLink l) {
            return "L " + l.targetPath();
        }
        if (n instanceof KernfsDir d) {
            return "D " + Integer.toOctalString(d.mode());
        }
        KernfsAttr a = (KernfsAttr) n;
        String head = "F " + Integer.toOctalString(a.mode());
        if ((a.mode() & 0444) == 0 || !a.attribute().readable()) {
            return head;
        }
        try {
            return head + " " + a.show();
        } catch (KernelException e) {
            return head + " read-error " + e.errno().name();
        }
    }

    /** Through the mount: the same map, from real system calls. */
    public static TreeSnapshot ofMount(Path mnt, Predicate<String> excluded) {
        TreeMap<String, String> out = new TreeMap<>();
        walkMount(mnt, "", out, excluded);
        return new TreeSnapshot(out);
    }

    /** Through the mount, only the given roots (as {@link #of(Kernfs, Predicate, List)}). */
    static TreeSnapshot ofMount(Path mnt, Predicate<String> excluded, List<String> roots) {
        if (roots == null) {
            return ofMount(mnt, excluded);
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (String r : roots) {
            boolean flat = r.endsWith("/*");
            String p = flat ? r.substring(0, r.length() - 2) : r;
            Path f = mnt.resolve(p.substring(1));
            if (Sys.lstatErrno(f) != 0) {
                out.put(p, "absent");
            } else if (flat) {
                for (String name : Sys.readdir(f)) {
                    Path c = f.resolve(name);
                    if (Sys.lstatErrno(c) == 0 && (Sys.lstat(c).mode() & Sys.S_IFMT) == Sys.S_IFREG) {
                        out.put(p + "/" + name, fileEntry(c, p + "/" + name, Sys.lstat(c).perm(), excluded));
                    }
                }
            } else if (Sys.lstat(f).isDirectory()) {
                walkMount(mnt, p, out, excluded);
            } else if (Sys.lstat(f).isSymlink()) {
                out.put(p, "L " + Sys.readlink(f));
            } else {
                out.put(p, fileEntry(f, p, Sys.lstat(f).perm(), excluded));
            }
        }
        return new TreeSnapshot(out);
    }

    private static String fileEntry(Path f, String p, int perm, Predicate<String> excluded) {
        String head = "F " + Integer.toOctalString(perm);
        if (excluded.test(p)) {
            return head + " (not compared)";
        }
        if ((perm & 0444) == 0) {
            return head;
        }
        try {
            return head + " " + Sys.read(f);
        } catch (SysException e) {
            return head + " read-error " + Sys.errnoName(e.errno());
        }
    }

    private static void walkMount(Path mnt, String path, Map<String, String> out, Predicate<String> excluded) {
        Path dir = path.isEmpty() ? mnt : mnt.resolve(path.substring(1));
        out.put(path.isEmpty() ? "/" : path, "D " + Integer.toOctalString(Sys.lstat(dir).perm()));
        for (String name : Sys.readdir(dir)) {
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String p = path + "/" + name;
            Path f = dir.resolve(name);
            int mode;
            try {
                mode = Sys.lstat(f).mode();
            } catch (SysException e) {
                continue;
            }
            int type = mode & Sys.S_IFMT;
            int perm = mode & 07777;
            if (type == Sys.S_IFDIR) {
                walkMount(mnt, p, out, excluded);
            } else if (type == Sys.S_IFLNK) {
                out.put(p, "L " + Sys.readlink(f));
            } else {
                out.put(p, fileEntry(f, p, perm, excluded));
            }
        }
    }

    /** Computed once per snapshot (the fuzzer asks for each several times). */
    private List<String> writable;
    private Inputs.Names names;

    /** The instance names the fuzzer builds inputs from ({@link Fuzzer#names}), once per snapshot. */
    Inputs.Names names() {
        if (names == null) {
            names = Fuzzer.names(this);
        }
        return names;
    }

    /** Paths of files with a write bit, sorted. */
    List<String> writable() {
        if (writable == null) {
            writable = List.copyOf(computeWritable());
        }
        return writable;
    }

    private List<String> computeWritable() {
        List<String> w = new ArrayList<>();
        for (var e : entries.entrySet()) {
            String v = e.getValue();
            if (v.startsWith("F ")) {
                int sp = v.indexOf(' ', 2);
                int mode = Integer.parseInt(sp < 0 ? v.substring(2) : v.substring(2, sp), 8);
                if ((mode & 0222) != 0) {
                    w.add(e.getKey());
                }
            }
        }
        return w;
    }

    /** A file's content ("" if absent, unreadable or not a file). */
    String content(String path) {
        String v = entries.get(path);
        if (v == null || !v.startsWith("F ")) {
            return "";
        }
        int sp = v.indexOf(' ', 2);
        return sp < 0 ? "" : v.substring(sp + 1);
    }

    boolean has(String path) {
        return entries.containsKey(path);
    }

    /** Children names of a directory path in this snapshot. */
    List<String> children(String dir) {
        List<String> out = new ArrayList<>();
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        for (String k : entries.tailMap(prefix, true).keySet()) {
            if (!k.startsWith(prefix)) {
                break;
            }
            String rest = k.substring(prefix.length());
            if (!rest.contains("/")) {
                out.add(rest);
            }
        }
        return out;
    }

    /** A short description of how {@code after} differs from this (null if equal). */
    public String diff(TreeSnapshot after) {
        if (entries.equals(after.entries)) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        TreeMap<String, String> all = new TreeMap<>(entries);
        all.putAll(after.entries);
        for (String k : all.keySet()) {
            String a = entries.get(k);
            String b = after.entries.get(k);
            if (a == null ? b != null : !a.equals(b)) {
                if (shown++ < 6) {
                    sb.append("\n    ").append(k).append(": ").append(clip(a)).append(" -> ").append(clip(b));
                }
            }
        }
        if (shown > 6) {
            sb.append("\n    ... ").append(shown - 6).append(" more");
        }
        return sb.toString();
    }

    private static String clip(String s) {
        if (s == null) {
            return "(absent)";
        }
        String t = s.replace("\n", "\\n");
        return t.length() > 120 ? t.substring(0, 120) + "..." : t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeSnapshot t && t.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
