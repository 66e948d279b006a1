package org.apsysfs.live;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.picture.SysfsView;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.Kernfs;

/**
 * The daemon's own tree as a {@link SysfsView}: the same files a reader of the mount gets,
 * read in-process as root through {@link InProcessClient} (the open/read/release path of the
 * FUSE edge; no FUSE round trip, so the page never waits on its own mount).
 */
public final class KernfsView implements SysfsView {
    private final Supplier<Kernfs> fs;

    /** {@code fs} is asked for every read: a written state replaces the tree. */
    public KernfsView(Supplier<Kernfs> fs) {
        this.fs = fs;
    }

    private InProcessClient client() {
        return new InProcessClient(fs.get());
    }

    @Override
    public Optional<String> read(String path) {
        try {
            return Optional.of(client().read(path));
        } catch (KernelException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> list(String path) {
        try {
            List<String> out = new ArrayList<>(client().list(path));
            Collections.sort(out);
            return out;
        } catch (KernelException e) {
            return List.of();
        }
    }

    @Override
    public Optional<String> readlink(String path) {
        try {
            return Optional.of(client().readlink(path));
        } catch (KernelException e) {
            return Optional.empty();
        }
    }

    @Override
    public String describe() {
        return "the daemon's tree";
    }
}
