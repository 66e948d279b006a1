package org.apsysfs.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.state.Simulation;

/**
 * A private simulated s390 AP system for one test: the sysfs tree of a fresh machine (or of a
 * saved state) mounted over FUSE on a new temporary directory, used like {@code /sys} (point
 * s390-tools at it with {@code SYSFS_ROOT}). {@link #close()} unmounts it and removes the
 * directory; a JVM shutdown hook does so for any test bed left open.
 *
 * <pre>{@code
 * try (Testbed tb = Testbed.start("default")) {
 *     Files.writeString(tb.sys().resolve("bus/ap/apmask"), "-5\n");
 * }
 * }</pre>
 *
 * <p>Needs root and {@code /dev/fuse} (libfuse2), as {@code scripts/apsysfs mount} does.
 */
public final class Testbed implements AutoCloseable {
    private static final Set<Testbed> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Testbed::close), "apsysfs-testbed-close"));
    }

    private final Path dir;
    private final Simulation sim;
    private final FuseMount mount;
    private volatile boolean closed;

    private Testbed(Path dir, Simulation sim, FuseMount mount) {
        this.dir = dir;
        this.sim = sim;
        this.mount = mount;
    }

    /** A fresh system on a built-in machine ({@code default}, {@code full}) or a machine file. */
    public static Testbed start(String machine) {
        return start(machine, null);
    }

    /**
     * A system restored from {@code state} (a state file as {@code apsysfs run --state} keeps;
     * made from {@code machine} if it does not exist), or a fresh {@code machine} if null.
     * Every acknowledged change is saved to {@code state}.
     *
     * @throws IllegalArgumentException if the machine or the state is unusable
     * @throws IllegalStateException if the tree cannot be mounted
     */
    public static Testbed start(String machine, Path state) {
        Simulation sim = state == null ? Simulation.of(Daemon.create(machine))
                : Simulation.withStateFile(machine, org.apsysfs.kernel.Clock.system(), state);
        Path dir;
        try {
            dir = Files.createTempDirectory("apsysfs-testbed-");
        } catch (IOException e) {
            sim.close();
            throw new IllegalStateException("cannot make a mount point: " + e, e);
        }
        FuseMount m = new FuseMount(sim::kernfs, dir, false, false);
        Testbed tb = new Testbed(dir, sim, m);
        OPEN.add(tb);
        boolean ok;
        try {
            ok = m.start(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (!ok) {
            tb.close();
            throw new IllegalStateException("mounting the test bed at " + dir
                    + " failed (root, /dev/fuse and libfuse2 are needed)");
        }
        return tb;
    }

    /** The root of the simulated sysfs (what {@code /sys} is on a real system). */
    public Path sys() {
        return dir;
    }

    /** A path in the tree, e.g. {@code path("bus/ap/apmask")}. */
    public Path path(String rel) {
        return dir.resolve(rel.startsWith("/") ? rel.substring(1) : rel);
    }

    /** Reads an attribute as {@code cat} does. */
    public String read(String rel) throws IOException {
        return Files.readString(path(rel), StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code value} to an attribute as {@code echo value > rel} does (the newline added). */
    public void write(String rel, String value) throws IOException {
        Files.writeString(path(rel), value + "\n", StandardCharsets.ISO_8859_1);
    }

    /** The simulated kernel log ({@code kernel/debug/apsysfs/dmesg}). */
    public String dmesg() throws IOException {
        return read("kernel/debug/apsysfs/dmesg");
    }

    /** Unmounts, stops the simulated system and removes the mount point (idempotent). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            mount.unmount(5, TimeUnit.SECONDS); // escalates to a lazy unmount by itself
            try {
                if (FuseMount.isMountPoint(dir)) {
                    throw new IllegalStateException("the test bed " + dir + " is still mounted");
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot clean up the test bed " + dir + ": " + e, e);
            }
        } finally {
            try {
                sim.saveNow();
            } catch (IOException e) {
                // the state was saved at every acknowledged change already
            }
            sim.close();
            OPEN.remove(this);
        }
    }

    @Override
    public String toString() {
        return "Testbed[" + dir + "]";
    }
}
