package org.apsysfs.sysfs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final Map<String, Attribute<T>> byName;
    /** For a named group: the same attributes as an unnamed table, bound inside its subdirectory. */
    private volatile AttributeGroup<T> contents;

    private AttributeGroup(String name, List<Attribute<T>> attrs) {
        this.name = name;
        this.attrs = List.copyOf(attrs);
        Map<String, Attribute<T>> m = new LinkedHashMap<>();
        for (Attribute<T> a : this.attrs) {
            if (m.put(a.name(), a) != null) {
                throw new IllegalArgumentException("duplicate attribute " + a.name());
            }
        }
        this.byName = Collections.unmodifiableMap(m);
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
        return byName.get(attrName);
    }
}
