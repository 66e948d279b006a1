package org.apsysfs.sysfs;

import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A table of attributes, the simulator's {@code struct attribute_group} with its
 * {@code attrs[]} array. A group with a name appears as a subdirectory (like {@code power/}).
 * Tables are immutable and shared by every object of a type; binding one to an object is
 * cheap, so a tree with a million attributes needs no per-attribute objects.
 *
 * @param <T> the kernel object type
 */
public final class AttributeGroup<T> {
    private final String name;
    private final List<Attribute<T>> attrs;
    private final HashMap<String, Attribute<T>> byName;
    /** One bit per attribute name's hash (mod 64): most names that are not here need no lookup. */
    private final long nameBits;
    /** Every attribute name is a valid file name (checked once). */
    final boolean namesValid;
    /** Tables known to have no attribute name in common with this one (checked once each). */
    private final Set<AttributeGroup<?>> disjoint = ConcurrentHashMap.newKeySet();
    /** For a named group: the same attributes as an unnamed table, bound inside its subdirectory. */
    private volatile AttributeGroup<T> contents;

    private AttributeGroup(String name, List<Attribute<T>> attrs) {
        this.name = name;
        this.attrs = List.copyOf(attrs);
        HashMap<String, Attribute<T>> m = new HashMap<>();
        for (Attribute<T> a : this.attrs) {
            if (m.put(a.name(), a) != null) {
                throw new IllegalArgumentException("duplicate attribute " + a.name());
            }
        }
        this.byName = m;
        boolean ok = true;
        for (Attribute<T> a : this.attrs) {
            String n = a.name();
            if (n.isEmpty() || n.indexOf('/') >= 0 || n.equals(".") || n.equals("..")) {
                ok = false;
            }
        }
        this.namesValid = ok;
        long bits = 0;
        for (Attribute<T> a : this.attrs) {
            bits |= 1L << (a.name().hashCode() & 63);
        }
        this.nameBits = bits;
    }

    @SafeVarargs
    public static <T> AttributeGroup<T> of(Attribute<T>... attrs) {
        return new AttributeGroup<>(null, List.of(attrs));
    }

    @SafeVarargs
    public static <T> AttributeGroup<T> named(String name, Attribute<T>... attrs) {
        return new AttributeGroup<>(name, List.of(attrs));
    }

    public static <T> AttributeGroup<T> of(List<Attribute<T>> attrs) {
        return new AttributeGroup<>(null, attrs);
    }

    /** The subdirectory name, or null for attributes placed directly in the object's directory. */
    public String name() {
        return name;
    }

    public List<Attribute<T>> attributes() {
        return attrs;
    }

    /** The table bound inside a named group's subdirectory (one shared instance). */
    AttributeGroup<T> contents() {
        AttributeGroup<T> c = contents;
        if (c == null) {
            c = new AttributeGroup<>(null, attrs);
            contents = c;
        }
        return c;
    }

    Attribute<T> get(String attrName) {
        if ((nameBits & (1L << (attrName.hashCode() & 63))) == 0) {
            return null;
        }
        return byName.get(attrName);
    }

    /** True if no attribute of {@code other} has the name of one of this table's. */
    boolean disjointFrom(AttributeGroup<?> other) {
        if (disjoint.contains(other)) {
            return true;
        }
        for (Attribute<?> a : other.attrs) {
            if (byName.containsKey(a.name())) {
                return false;
            }
        }
        disjoint.add(other);
        return true;
    }
}
