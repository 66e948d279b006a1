package org.apsysfs.live;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.picture.SysfsView;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsLink;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * The daemon's own tree as a {@link SysfsView}: the same files a reader of the mount gets,
 * read in-process as root through the open/read/release path of the FUSE edge (no FUSE round
 * trip, so the page never waits on its own mount). Paths must not pass through links.
 */
public final class KernfsView implements SysfsView {
    private final Supplier<Kernfs> fs;

    /** {@code fs} is asked for every read: a written state replaces the tree. */
    public KernfsView(Supplier<Kernfs> fs) {
        this.fs = fs;
    }

    @Override
    public Optional<String> read(String path) {
        Kernfs k = fs.get();
        KernfsNode n = k.lookup(path);
        if (!(n instanceof KernfsAttr)) {
            return Optional.empty();
        }
        try {
            KernfsOpenFile of = k.open(n, 0, Cred.ROOT);
            try {
                return Optional.of(new String(of.read(0, Integer.MAX_VALUE), StandardCharsets.ISO_8859_1));
            } finally {
                of.release();
            }
        } catch (KernelException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> list(String path) {
        KernfsNode n = fs.get().lookup(path);
        if (!(n instanceof KernfsDir d)) {
            return List.of();
        }
        List<String> out = new ArrayList<>(d.list());
        Collections.sort(out);
        return out;
    }

    @Override
    public Optional<String> readlink(String path) {
        KernfsNode n = fs.get().lookup(path);
        return n instanceof KernfsLink l ? Optional.of(l.targetPath()) : Optional.empty();
    }

    @Override
    public String describe() {
        return "the daemon's tree";
    }
}
