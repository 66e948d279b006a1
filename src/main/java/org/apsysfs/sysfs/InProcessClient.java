package org.apsysfs.sysfs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * A {@link SysfsClient} without FUSE: the calls the FUSE edge makes ({@link Kernfs#open} as
 * root, {@link KernfsOpenFile#read}/{@link KernfsOpenFile#write}, always released), with
 * symbolic links followed as the VFS follows them, so errno and content are what a mounted
 * tree gives.
 */
public final class InProcessClient implements SysfsClient {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    /** What {@code cat} (coreutils) reads per call. */
    private static final int READ_CHUNK = 128 * 1024;
    /** Links followed in one resolution before giving up (the VFS's ELOOP limit). */
    private static final int MAX_LINKS = 40;

    private final Kernfs fs;

    public InProcessClient(Kernfs fs) {
        this.fs = fs;
    }

    // ------------------------------------------------------------------ paths

    /** Resolves a path following links in every component (like stat(2)); null if absent. */
    public KernfsNode resolve(String path) {
        KernfsNode n = fs.root();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            n = follow(n);
            if (!(n instanceof KernfsDir d)) {
                return null;
            }
            n = d.child(part);
            if (n == null) {
                return null;
            }
        }
        return follow(n);
    }

    private static KernfsNode follow(KernfsNode n) {
        int hops = 0;
        while (n instanceof KernfsLink l) {
            n = l.target();
            if (n == null || ++hops > MAX_LINKS) {
                return null;
            }
        }
        return n;
    }

    /** The node itself, without following a final link (like lstat(2)); null if absent. */
    public KernfsNode lresolve(String path) {
        String p = path;
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        KernfsNode parent = slash <= 0 ? fs.root() : resolve(p.substring(0, slash));
        if (!(parent instanceof KernfsDir d)) {
            return null;
        }
        return d.child(p.substring(slash + 1));
    }

    @Override
    public boolean exists(String path) {
        return resolve(path) != null;
    }

    /** {@code n} as a {@code type}: ENOENT if there is none, {@code otherType} if it is something else. */
    private static <T extends KernfsNode> T expect(KernfsNode n, Class<T> type, Errno otherType) {
        if (n == null) {
            throw KernelException.bare(Errno.ENOENT);
        }
        if (!type.isInstance(n)) {
            throw KernelException.bare(otherType);
        }
        return type.cast(n);
    }

    @Override
    public String readlink(String path) {
        return expect(lresolve(path), KernfsLink.class, Errno.EINVAL).targetPath();
    }

    @Override
    public List<String> list(String path) {
        return expect(resolve(path), KernfsDir.class, Errno.ENOTDIR).list();
    }

    // ------------------------------------------------------------------ read / write

    @Override
    public String read(String path) {
        KernfsNode n = resolve(path);
        if (n == null) {
            throw KernelException.bare(Errno.ENOENT);
        }
        KernfsOpenFile f = fs.open(n, O_RDONLY, Cred.ROOT);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long off = 0;
            while (true) {
                byte[] b = f.read(off, READ_CHUNK);
                if (b.length == 0) {
                    return out.toString(StandardCharsets.ISO_8859_1);
                }
                out.write(b, 0, b.length);
                off += b.length;
            }
        } finally {
            f.release();
        }
    }

    @Override
    public Write write(String path, String value) {
        KernfsNode n = resolve(path);
        if (n == null) {
            return new Write(Errno.ENOENT, null, -1, null, null);
        }
        KernfsOpenFile f;
        try {
            f = fs.open(n, O_WRONLY, Cred.ROOT);
        } catch (KernelException e) {
            return new Write(e.errno(), null, -1, null, e.logLine());
        }
        try {
            byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
            return new Write(null, null, f.write(b, b.length, 0), null, null);
        } catch (KernelException e) {
            return new Write(null, e.errno(), -1, null, e.logLine());
        } finally {
            f.release();
        }
    }
}
