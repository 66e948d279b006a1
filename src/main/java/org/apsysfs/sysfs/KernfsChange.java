package org.apsysfs.sysfs;

/**
 * One change of the tree that a cache on the VFS side must forget (what the kernel's kernfs
 * does to its own dentries and inodes in {@code kernfs_link_sibling},
 * {@code kernfs_unlink_sibling}, {@code __kernfs_remove}, {@code kernfs_setattr}):
 * an entry (a directory or link added, removed or re-created, an attribute table bound or
 * unbound; {@link #node()} is the removed node, if any), or a node's attributes or link count ({@code dir} and
 * {@code name} are then its parent and name).
 */
public record KernfsChange(Kind kind, KernfsDir dir, String name, KernfsNode node) {
    /** What changed. */
    public enum Kind {
        /**
         * {@code name} in {@code dir} appeared, disappeared or names another node now;
         * {@code node} is the node removed, if one was (null for an addition).
         */
        ENTRY,
        /**
         * {@code node}'s mode, owner or times (chmod, chown, utimens, setxattr). For a directory
         * this includes the times of its attributes, which show the directory's ctime
         * ({@link KernfsAttr#defaultTimeMillis()}).
         */
        ATTRIBUTES,
        /** {@code node} (a directory) has another link count: a subdirectory came or went. */
        LINK_COUNT
    }

    static KernfsChange entry(KernfsDir dir, String name) {
        return new KernfsChange(Kind.ENTRY, dir, name, null);
    }

    static KernfsChange removed(KernfsDir dir, KernfsNode node) {
        return new KernfsChange(Kind.ENTRY, dir, node.name(), node);
    }

    static KernfsChange attributes(KernfsNode node) {
        return new KernfsChange(Kind.ATTRIBUTES, node.parent(), node.name(), node);
    }

    static KernfsChange linkCount(KernfsDir dir) {
        return new KernfsChange(Kind.LINK_COUNT, dir.parent(), dir.name(), dir);
    }
}
