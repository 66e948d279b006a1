package org.apsysfs.locking;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock validator in the spirit of the kernel's lockdep. The first time a lock of one
 * ranked class is taken while one of a higher {@link LockRank} is held it reports a "lock
 * order against the hierarchy". For every acquisition it records,
 * per lock class (and nesting subclass), which classes were already held, building a
 * dependency graph. The moment an acquisition would close a cycle in that graph it reports a
 * "possible circular locking dependency" naming the existing chain and the new one, even if
 * no deadlock happened; taking a lock of a class already held (without a nesting subclass)
 * is reported as "possible recursive locking". Waits longer than the hung-task timeout are
 * reported as well. Lock classes are global, as in the kernel, so there is one validator.
 */
public final class Lockdep {
    private static final Logger LOG = LoggerFactory.getLogger("lockdep");
    private static final Lockdep INSTANCE = new Lockdep();

    /** A class key: the class plus the nesting subclass it was taken with. */
    record Key(LockClass cls, int subclass) {
        // written out: the generated record methods are slow on this hot path
        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof Key k && k.cls == cls && k.subclass == subclass);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(cls) * 31 + subclass;
        }

        @Override
        public String toString() {
            return subclass == 0 ? cls.name() : cls.name() + "/" + subclass;
        }
    }

    private record Held(Key key, Object lock, Object instance) {
    }

    private final ThreadLocal<Deque<Held>> held = ThreadLocal.withInitial(ArrayDeque::new);
    /** Guarded by this: edge a -> b means b was taken while a was held; value = first seen where. */
    private final Map<Key, Map<Key, String>> after = new LinkedHashMap<>();
    /** The edges of {@link #after}, readable without the lock (a known edge needs no lock). */
    private final Map<Key, Set<Key>> known = new ConcurrentHashMap<>();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private volatile long hungTaskMillis = 10_000;
    private final List<Recording> recordings = new CopyOnWriteArrayList<>();

    public static Lockdep get() {
        return INSTANCE;
    }

    /** How long a wait may take before it is reported as a hung task. */
    public long hungTaskMillis() {
        return hungTaskMillis;
    }

    public void setHungTaskMillis(long millis) {
        this.hungTaskMillis = millis;
    }

    void acquire(LockClass cls, int subclass, Object lock, Object instance) {
        Key key = subclass == 0 ? cls.key0() : new Key(cls, subclass);
        Deque<Held> stack = held.get();
        if (stack.isEmpty()) {
            // the outermost lock: nothing to check, no dependency
            if (!recordings.isEmpty()) {
                for (Recording r : recordings) {
                    r.note(stack, key);
                }
            }
            stack.push(new Held(key, lock, instance));
            return;
        }
        for (Held h : stack) {
            if (h.lock == lock || h.key.equals(key)) {
                report("WARNING: possible recursive locking detected\n"
                        + Thread.currentThread().getName() + " is trying to acquire lock:\n  " + instance + " (" + key + ")\n"
                        + "but task is already holding lock:\n  " + h.instance + " (" + h.key + ")\n"
                        + heldText(stack));
            }
        }
        for (Held h : stack) {
            if (!h.key.equals(key)) {
                addEdge(h.key, key, stack, instance);
            }
        }
        if (!recordings.isEmpty()) {
            for (Recording r : recordings) {
                r.note(stack, key);
            }
        }
        stack.push(new Held(key, lock, instance));
    }

    void release(Object lock) {
        Deque<Held> stack = held.get();
        Held top = stack.peekFirst();
        if (top != null && top.lock == lock) {
            // the usual case: the innermost lock goes first
            stack.pollFirst();
            return;
        }
        for (var it = stack.iterator(); it.hasNext();) {
            if (it.next().lock == lock) {
                it.remove();
                return;
            }
        }
    }

    void hungTask(Object instance) {
        report("INFO: task " + Thread.currentThread().getName() + " blocked for more than "
                + hungTaskMillis / 1000 + " seconds waiting for " + instance + "\n" + heldText(held.get()));
    }

    private void addEdge(Key from, Key to, Deque<Held> stack, Object instance) {
        Set<Key> k = known.get(from);
        if (k != null && k.contains(to)) {
            return;
        }
        addEdgeLocked(from, to, stack, instance);
    }

    private synchronized void addEdgeLocked(Key from, Key to, Deque<Held> stack, Object instance) {
        Map<Key, String> out = after.computeIfAbsent(from, k -> new LinkedHashMap<>());
        if (out.containsKey(to)) {
            return;
        }
        LockRank rf = from.cls().rank();
        LockRank rt = to.cls().rank();
        if (rf != null && rt != null && rt.compareTo(rf) < 0) {
            // against the hierarchy: no cycle needs to close for this to be a bug
            report("WARNING: lock order against the hierarchy (LockRank)\n"
                    + Thread.currentThread().getName() + " is trying to acquire lock:\n  " + instance + " (" + to + ", rank " + rt + ")\n"
                    + "but task is already holding lock:\n  " + from + " (rank " + rf + ")\n"
                    + "which the hierarchy orders after it\n"
                    + heldText(stack));
        }
        List<Key> path = findPath(to, from);
        if (path != null) {
            StringBuilder chain = new StringBuilder();
            for (int i = 0; i < path.size(); i++) {
                chain.append(i == 0 ? "  " : "  --> ").append(path.get(i)).append('\n');
            }
            report("WARNING: possible circular locking dependency detected\n"
                    + Thread.currentThread().getName() + " is trying to acquire lock:\n  " + instance + " (" + to + ")\n"
                    + "but task is already holding lock:\n  " + from + "\n"
                    + "which lock already depends on the new lock.\n"
                    + "the existing dependency chain (in reverse order) is:\n" + chain
                    + "new dependency:\n  " + from + " --> " + to + "\n"
                    + heldText(stack));
        }
        out.put(to, Thread.currentThread().getName());
        known.computeIfAbsent(from, x -> ConcurrentHashMap.newKeySet()).add(to);
    }

    /** A path of edges from a to b, or null. */
    private List<Key> findPath(Key a, Key b) {
        Map<Key, Key> prev = new HashMap<>();
        Deque<Key> queue = new ArrayDeque<>();
        Set<Key> seen = new HashSet<>();
        queue.add(a);
        seen.add(a);
        while (!queue.isEmpty()) {
            Key k = queue.poll();
            if (k.equals(b)) {
                List<Key> path = new ArrayList<>();
                for (Key p = b; p != null; p = prev.get(p)) {
                    path.add(0, p);
                }
                return path;
            }
            for (Key n : after.getOrDefault(k, Map.of()).keySet()) {
                if (seen.add(n)) {
                    prev.put(n, k);
                    queue.add(n);
                }
            }
        }
        return null;
    }

    private static String heldText(Deque<Held> stack) {
        StringBuilder sb = new StringBuilder("locks held:\n");
        List<Held> l = new ArrayList<>(stack);
        for (int i = l.size() - 1; i >= 0; i--) {
            sb.append("  #").append(l.size() - 1 - i).append(": ").append(l.get(i).instance)
                    .append(" (").append(l.get(i).key).append(")\n");
        }
        return sb.toString();
    }

    private void report(String text) {
        reports.add(text);
        LOG.error("lockdep: {}", text);
    }

    /** Every report made so far. */
    public List<String> reports() {
        return List.copyOf(reports);
    }

    public int reportCount() {
        return reports.size();
    }

    /** The dependency graph: one "a -> b" line per edge. */
    public synchronized String graph() {
        StringBuilder sb = new StringBuilder();
        after.forEach((from, tos) -> tos.keySet().forEach(to -> sb.append(from).append(" -> ").append(to).append('\n')));
        return sb.toString();
    }

    /** The report file: every report, separated by blank lines. */
    public String reportText() {
        StringBuilder sb = new StringBuilder();
        for (String r : reports) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    /**
     * Starts recording every acquisition, by any thread, until the recording is closed: which
     * classes were held when each lock was taken. Unlike {@link #graph()} (first occurrences
     * since start-up) a recording shows what one operation did, every time it did it.
     */
    public Recording record() {
        Recording r = new Recording();
        recordings.add(r);
        return r;
    }

    /** The acquisitions seen while a {@link #record()} was open. */
    public final class Recording implements AutoCloseable {
        private final Set<String> edges = new java.util.LinkedHashSet<>();
        private final List<String> acquisitions = new ArrayList<>();

        private Recording() {
        }

        private synchronized void note(Deque<Held> stack, Key key) {
            List<String> outer = new ArrayList<>();
            for (Held h : stack) {
                outer.add(0, h.key.toString());
                if (!h.key.equals(key)) {
                    edges.add(h.key + " -> " + key);
                }
            }
            if (acquisitions.size() < 100_000) {
                acquisitions.add(outer.isEmpty() ? key.toString() : String.join(" > ", outer) + " > " + key);
            }
        }

        /**
         * Every dependency "held -> taken" recorded (all held classes, not only the innermost),
         * in first-seen order.
         */
        public synchronized Set<String> edges() {
            return new java.util.LinkedHashSet<>(edges);
        }

        /** Every acquisition as "outermost > ... > taken", in order. */
        public synchronized List<String> acquisitions() {
            return new ArrayList<>(acquisitions);
        }

        /** The classes taken, in order (without what was held). */
        public synchronized List<String> taken() {
            List<String> out = new ArrayList<>();
            for (String a : acquisitions) {
                int i = a.lastIndexOf(" > ");
                out.add(i < 0 ? a : a.substring(i + 3));
            }
            return out;
        }

        @Override
        public void close() {
            recordings.remove(this);
        }
    }

    /** Locks the calling thread holds, innermost first (for assertions). */
    public List<String> heldByCurrentThread() {
        List<String> out = new ArrayList<>();
        for (Held h : held.get()) {
            out.add(h.key.toString());
        }
        return out;
    }
}
