package org.apsysfs.sysfs;

import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * An attribute file, made on lookup from a directory's bound table (sysfs creates a kernfs
 * node per attribute; we keep only the table, so this view is cheap and short-lived).
 */
public final class KernfsAttr extends KernfsNode {
    private final KernfsDir dir;
    /** The binding this view was made from (a re-bound table is a new binding). */
    private final KernfsDir.Binding binding;
    private final Attribute<?> attr;

    KernfsAttr(KernfsDir dir, KernfsDir.Binding binding, Attribute<?> attr) {
        super(attr.name());
        this.dir = dir;
        this.binding = binding;
        this.attr = attr;
    }

    @Override
    public KernfsDir parent() {
        return dir;
    }

    @Override
    public int mode() {
        NodeMeta m = dir.attrMeta(name, attr.mode(), false);
        return m == null ? attr.mode() : m.mode;
    }

    @Override
    public NodeMeta meta() {
        NodeMeta m = dir.attrMeta(name, attr.mode(), false);
        if (m != null) {
            return m;
        }
        return new NodeMeta(attr.mode(), dir.ctimeMillis());
    }

    @Override
    public NodeMeta metaIfAny() {
        return dir.attrMeta(name, attr.mode(), false);
    }

    /** An attribute without metadata of its own shows its directory's ctime. */
    @Override
    public long defaultTimeMillis() {
        return dir.ctimeMillis();
    }

    /** Metadata that chmod/chown/utimens may change (created on first change). */
    NodeMeta metaForUpdate() {
        return dir.attrMeta(name, attr.mode(), true);
    }

    @Override
    public boolean active() {
        return dir.bound(binding);
    }

    public Attribute<?> attribute() {
        return attr;
    }

    /** Calls the show callback; ENODEV once the attribute was removed (kernfs active ref). */
    @SuppressWarnings("unchecked")
    public String show() {
        if (!active()) {
            throw KernelException.bare(Errno.ENODEV);
        }
        Attribute.Show<Object> s = (Attribute.Show<Object>) attr.show();
        if (s == null) {
            throw KernelException.bare(Errno.EIO);
        }
        return s.show(binding.owner());
    }

    /** {@link #show()} as ISO-8859-1 bytes (without a string for attributes that make bytes). */
    @SuppressWarnings("unchecked")
    public byte[] showBytes() {
        Attribute.ShowBytes<Object> b = (Attribute.ShowBytes<Object>) attr.showBytes();
        if (b == null) {
            return show().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        if (!active()) {
            throw KernelException.bare(Errno.ENODEV);
        }
        return b.show(binding.owner());
    }

    /** Calls the store callback with the written bytes. */
    @SuppressWarnings("unchecked")
    public void store(String buf) {
        if (!active()) {
            throw KernelException.bare(Errno.ENODEV);
        }
        Attribute.Store<Object> s = (Attribute.Store<Object>) attr.store();
        if (s == null) {
            throw KernelException.bare(Errno.EIO);
        }
        s.store(binding.owner(), buf);
    }

    /**
     * Offers a collected document to a {@link Attribute.DocumentStore}.
     *
     * @return true once the document was complete and applied
     */
    @SuppressWarnings("unchecked")
    boolean storeDocument(CharSequence text) {
        if (!active()) {
            throw KernelException.bare(Errno.ENODEV);
        }
        Attribute.DocumentStore<Object> s = (Attribute.DocumentStore<Object>) attr.store();
        return s.storeDocument(binding.owner(), text);
    }

    /** The object the attribute belongs to. */
    public Object owner() {
        return binding.owner();
    }
}
