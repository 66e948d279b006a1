package org.apsysfs.sysfs;

import java.util.Objects;

/**
 * One sysfs attribute of a kernel object type: the simulator's {@code struct device_attribute}.
 * Declared once per type in a table ({@link AttributeGroup}), bound to objects when a directory
 * is populated. {@code show} produces the whole content; {@code store} receives the written
 * bytes (ISO-8859-1, so every byte survives; the string length is the write's byte count) and
 * throws {@link org.apsysfs.kernel.KernelException} to fail with an errno.
 *
 * @param <T> the kernel object type the attribute belongs to
 */
public record Attribute<T>(String name, int mode, Show<T> show, Store<T> store, ShowBytes<T> showBytes) {

    /** The show callback ({@code ssize_t (*show)(struct device *, ..., char *buf)}). */
    @FunctionalInterface
    public interface Show<T> {
        String show(T obj);
    }

    /**
     * The show of a log-like control file ({@code dmesg}, {@code uevents}, ...): the content only
     * grows at its end, until the ring that holds it is full and drops its oldest lines. Such
     * a file reports its content's length as its size and serves reads past the end of what
     * an open file has already seen from fresh content ({@link KernfsOpenFile#readSlice}).
     */
    @FunctionalInterface
    public interface LogShow<T> extends Show<T> {
    }

    /**
     * A show that produces the content as bytes (ISO-8859-1), for large contents that should
     * not be built as a string and converted again.
     */
    @FunctionalInterface
    public interface ShowBytes<T> {
        byte[] show(T obj);
    }

    /** The store callback; returning normally means the whole write was consumed. */
    @FunctionalInterface
    public interface Store<T> {
        void store(T obj, String buf);
    }

    /**
     * A store that takes a whole document, possibly written in several pieces (a debugfs-style
     * control file rather than a sysfs attribute): the open file collects the writes of one
     * open from offset 0 and offers the collected text after each write.
     */
    @FunctionalInterface
    public interface DocumentStore<T> extends Store<T> {
        /**
         * @return false while {@code text} is an incomplete document (more writes expected), true
         *     once it was complete and has been applied
         */
        boolean storeDocument(T obj, CharSequence text);

        @Override
        default void store(T obj, String buf) {
            storeDocument(obj, buf);
        }
    }

    public Attribute(String name, int mode, Show<T> show, Store<T> store) {
        this(name, mode, show, store, null);
    }

    public Attribute {
        Objects.requireNonNull(name, "name");
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("bad mode " + Integer.toOctalString(mode));
        }
        if ((mode & 0444) != 0 && show == null) {
            throw new IllegalArgumentException(name + ": readable attribute without show");
        }
        if ((mode & 0222) != 0 && store == null) {
            throw new IllegalArgumentException(name + ": writable attribute without store");
        }
    }

    /** {@code DEVICE_ATTR_RO}: mode 0444. */
    public static <T> Attribute<T> ro(String name, Show<T> show) {
        return new Attribute<>(name, 0444, show, null);
    }

    /** A read-only attribute whose show produces bytes ({@code show()} decodes them as ISO-8859-1). */
    public static <T> Attribute<T> roBytes(String name, ShowBytes<T> show) {
        return new Attribute<>(name, 0444, o -> new String(show.show(o), java.nio.charset.StandardCharsets.ISO_8859_1),
                null, show);
    }

    /** {@code DEVICE_ATTR_RW}: mode 0644. */
    public static <T> Attribute<T> rw(String name, Show<T> show, Store<T> store) {
        return new Attribute<>(name, 0644, show, store);
    }

    /** {@code DEVICE_ATTR_WO}: mode 0200. */
    public static <T> Attribute<T> wo(String name, Store<T> store) {
        return new Attribute<>(name, 0200, null, store);
    }

    /** An attribute with an explicit mode ({@code __ATTR(name, mode, show, store)}). */
    public static <T> Attribute<T> of(String name, int mode, Show<T> show, Store<T> store) {
        return new Attribute<>(name, mode, show, store);
    }

    /**
     * A read-only log-like control file ({@link LogShow}): its size is its content's length,
     * so that {@code tail}, {@code tail -f} and {@code less +F} follow it.
     */
    public static <T> Attribute<T> log(String name, LogShow<T> show) {
        return new Attribute<>(name, 0444, show, null);
    }

    /** Whether this is a log-like file ({@link #log}). */
    public boolean growing() {
        return show instanceof LogShow;
    }

    /** A read-only attribute with a fixed value. */
    public static <T> Attribute<T> constant(String name, String value) {
        return ro(name, o -> value);
    }

    /** A read-write control file whose writes are collected into one document ({@link DocumentStore}). */
    public static <T> Attribute<T> document(String name, int mode, Show<T> show, DocumentStore<T> store) {
        return new Attribute<>(name, mode, show, store);
    }

    /** Whether writes are collected into one document before the store sees them. */
    public boolean collectsDocument() {
        return store instanceof DocumentStore;
    }

    public boolean readable() {
        return show != null;
    }

    public boolean writable() {
        return store != null;
    }
}
