package org.apsysfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.Kernel;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.fuse.SysfsFuse;
import org.apsysfs.netlink.AttachServer;
import org.apsysfs.sysfs.Kernfs;

/**
 * A {@link Kernfs} tree mounted over FUSE in a fresh temporary directory, for tests. Closing it
 * unmounts, escalating from {@code fusermount -u} to a lazy unmount and finally to aborting the
 * FUSE connection, and fails loudly if the mount is still there. Every live mount is also
 * unmounted by a JVM shutdown hook, and dead mounts left by an earlier killed test JVM are
 * cleaned up before the first mount.
 *
 * <p>Usually made by {@link MountExtension}; can be used directly with try-with-resources.
 */
public final class SysfsMount implements AutoCloseable {
    /** Temporary mount points are named with this prefix (used to find our stale mounts). */
    public static final String PREFIX = "apsysfs-test-";

    private static final Set<SysfsMount> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean cleanedStale;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (SysfsMount m : LIVE) {
                try {
                    m.close();
                } catch (RuntimeException e) {
                    System.err.println("apsysfs test: " + e.getMessage());
                }
            }
        }, "apsysfs-test-unmount"));
    }

    private final Path dir;
    private final Kernfs kernfs;
    private final Daemon daemon;
    private final Kernel kernel;
    private final FuseMount mount;
    private final boolean allowOther;
    private final boolean singleThreaded;
    private final String connection;
    private volatile boolean closed;
    /** Where namespaces attach for this mount's uevents; null for a bare tree. */
    private AttachServer attach;

    private SysfsMount(Path dir, Kernfs kernfs, Daemon daemon, Kernel kernel, FuseMount mount,
            boolean allowOther, boolean singleThreaded, String connection) {
        this.dir = dir;
        this.kernfs = kernfs;
        this.daemon = daemon;
        this.kernel = kernel != null ? kernel : daemon != null ? daemon.kernel() : null;
        this.mount = mount;
        this.allowOther = allowOther;
        this.singleThreaded = singleThreaded;
        this.connection = connection;
    }

    /** Mounts {@code Daemon.create("default")}'s tree. */
    public static SysfsMount mountDefault() {
        Daemon d = Daemon.create("default");
        return mount(d.kernel().sysfs(), d, false, false);
    }

    /** Mounts a tree the test built (multi-threaded, no allow_other). */
    public static SysfsMount mount(Kernfs kernfs) {
        return mount(kernfs, null, false, false);
    }

    /**
     * Mounts {@code kernfs} in a new temporary directory and waits until it serves.
     *
     * @param daemon the daemon owning the tree, or null for a bare tree
     */
    public static SysfsMount mount(Kernfs kernfs, Daemon daemon, boolean allowOther, boolean singleThreaded) {
        return mount(kernfs, daemon, null, allowOther, singleThreaded);
    }

    /** Mounts the tree of {@code kernel} (a kernel the test booted without a daemon). */
    public static SysfsMount mount(Kernel kernel, boolean allowOther, boolean singleThreaded) {
        return mount(kernel.sysfs(), null, kernel, allowOther, singleThreaded);
    }

    private static SysfsMount mount(Kernfs kernfs, Daemon daemon, Kernel kernel, boolean allowOther,
            boolean singleThreaded) {
        cleanStaleMounts();
        Path dir;
        try {
            dir = Files.createTempDirectory(PREFIX);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a mount point: " + e, e);
        }
        // a daemon is served as `apsysfs run --uevent-socket DIR.sock` serves it: through a
        // Simulation (the state control file), its uevents to the namespaces attached at DIR.sock
        FuseMount m;
        AttachServer attach = null;
        if (daemon != null) {
            org.apsysfs.state.Simulation sim = org.apsysfs.state.Simulation.of(daemon);
            try {
                attach = AttachServer.start(Path.of(dir + ".sock"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen at " + dir + ".sock: " + e, e);
            }
            org.apsysfs.netlink.UeventNetlink netlink = attach.netlink();
            sim.onServe((d, booted) -> netlink.adopt(d.kernel(), booted));
            m = new FuseMount(sim::kernfs, dir, allowOther, singleThreaded);
        } else {
            m = new FuseMount(kernfs, dir, allowOther, singleThreaded);
        }
        boolean ok = start(m);
        SysfsMount sm = new SysfsMount(dir, kernfs, daemon, kernel, m, allowOther, singleThreaded, connectionOf(dir));
        sm.attach = attach;
        return live(sm, ok, "mounting " + dir);
    }

    /** Starts {@code m}, waiting 10 s at most; false if it did not come up. */
    private static boolean start(FuseMount m) {
        try {
            return m.start(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Registers {@code sm} with the shutdown hook that unmounts live mounts; unmounts it and fails if it did not start. */
    private static SysfsMount live(SysfsMount sm, boolean ok, String what) {
        LIVE.add(sm);
        if (!ok) {
            sm.close();
            throw new IllegalStateException(what + " failed (see the log)");
        }
        return sm;
    }

    /**
     * Mounts, in a new temporary directory, the guest view of guest {@code name} of the daemon
     * mounted at {@code host}: what {@code apsysfs run --guest NAME=DIR} serves (the sysfs of
     * the guest's own kernel, an empty tree while the guest does not exist).
     */
    public static SysfsMount mountGuestView(SysfsMount host, String name) {
        if (host.daemon == null) {
            throw new IllegalArgumentException("a guest view needs a daemon's mount");
        }
        org.apsysfs.state.Simulation sim = org.apsysfs.state.Simulation.of(host.daemon);
        Path dir;
        try {
            dir = Files.createTempDirectory(PREFIX);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a mount point: " + e, e);
        }
        FuseMount m = new FuseMount(() -> sim.guestKernfs(name), dir, host.allowOther, host.singleThreaded);
        boolean ok = start(m);
        SysfsMount sm = new SysfsMount(dir, null, null, null, m, host.allowOther, host.singleThreaded, connectionOf(dir));
        return live(sm, ok, "mounting the guest view at " + dir);
    }

    /** The mount point (absolute). */
    public Path path() {
        return dir;
    }

    /** A path inside the mount; {@code rel} may start with '/' ("bus/ap" or "/bus/ap"). */
    public Path resolve(String rel) {
        return new MountedClient(dir).under(rel);
    }

    public Kernfs kernfs() {
        return kernfs;
    }

    /** The daemon whose tree is mounted; null if the test mounted a bare {@link Kernfs}. */
    public Daemon daemon() {
        return daemon;
    }

    /** The kernel whose tree is mounted; null if the test mounted a bare {@link Kernfs}. */
    public Kernel kernel() {
        return kernel;
    }

    public FuseMount fuseMount() {
        return mount;
    }

    public SysfsFuse fuse() {
        return mount.fileSystem();
    }

    public boolean allowOther() {
        return allowOther;
    }

    public boolean singleThreaded() {
        return singleThreaded;
    }

    /** True while the kernel still lists the mount. */
    public boolean isMounted() {
        try {
            return FuseMount.isMountPoint(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Unmounts (idempotent) and removes the mount point.
     *
     * @throws IllegalStateException if the mount could not be removed even lazily
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // 1. a normal unmount; it fails with EBUSY while something has a file open
            if (!fusermount(dir, "-u") && isMounted()) {
                // 2. a busy mount at teardown means a leaked descriptor or a stuck request:
                //    detach it, and abort the connection if the daemon does not finish soon
                fusermount(dir, "-u", "-z");
            }
            if (!awaitGone(500)) {
                abort(connection);
                // the serving thread ends only when a stuck callback returns; once the
                // connection is aborted and detached nothing can reach it any more
                if (!awaitGone(1000) && isMounted()) {
                    mount.unmount(3, TimeUnit.SECONDS);
                }
            }
            if (isMounted()) {
                fusermount(dir, "-u", "-z");
            }
            if (isMounted()) {
                throw new IllegalStateException("apsysfs test mount " + dir + " is still mounted");
            }
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // leave the empty directory; not worth failing a test for
            }
        } finally {
            if (attach != null) {
                attach.close();
            }
            LIVE.remove(this);
        }
    }

    private boolean awaitGone(long millis) {
        try {
            return mount.fileSystem().gone().await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "SysfsMount[" + dir + (allowOther ? ", allow_other" : "") + (singleThreaded ? ", -s" : "") + "]";
    }

    // ------------------------------------------------------------------ cleanup helpers

    /** The FUSE connection number (device minor) of the mount at {@code dir}, or null. */
    static String connectionOf(Path dir) {
        for (org.apsysfs.fuse.FuseMount.MountInfo m : org.apsysfs.fuse.FuseMount.mounts()) {
            if (m.mountPoint().equals(dir)) {
                return m.connection();
            }
        }
        return null;
    }

    private static void abort(String connection) {
        if (connection == null) {
            return;
        }
        Path abort = Path.of("/sys/fs/fuse/connections", connection, "abort");
        if (Files.exists(abort)) {
            try {
                Files.writeString(abort, "1");
            } catch (IOException e) {
                // best effort
            }
        } else if (Files.isDirectory(abort.getParent().getParent())) {
            // fusectl is not mounted on this machine (no systemd sys-fs-fuse-connections.mount):
            // mount it in a private mount namespace for this one write; it has a single
            // instance, so it lists the same connections, and the host's mounts stay as they are
            try {
                Process p = new ProcessBuilder("unshare", "-m", "sh", "-c",
                        "mount -t fusectl fusectl /sys/fs/fuse/connections && echo 1 >\"/sys/fs/fuse/connections/$1/abort\"",
                        "sh", connection).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                // best effort
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean fusermount(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("fusermount");
        cmd.addAll(List.of(args));
        cmd.add(dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Removes dead test mounts ("Transport endpoint is not connected") left in the temporary
     * directory by a test JVM of this checkout that was killed: only fuse.apsysfs mounts whose
     * source is this checkout's ({@link org.apsysfs.fuse.FuseMount#FSNAME}) and whose FUSE owner
     * ({@code user_id=}) is this process's user. Live mounts (other test runs in parallel) and
     * other users' or other checkouts' mounts are left alone. Runs once per JVM.
     */
    public static synchronized void cleanStaleMounts() {
        if (cleanedStale) {
            return;
        }
        cleanedStale = true;
        cleanStaleMountsNow();
    }

    /** {@link #cleanStaleMounts()} without the once-per-JVM guard. */
    static synchronized void cleanStaleMountsNow() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        int me = currentUid();
        for (org.apsysfs.fuse.FuseMount.MountInfo m : org.apsysfs.fuse.FuseMount.mounts()) {
            Path mp = m.mountPoint();
            Path parent = mp.getParent();
            if (parent == null || !parent.equals(tmp) || !mp.getFileName().toString().startsWith(PREFIX)
                    || !m.fstype().equals("fuse.apsysfs") || !m.source().equals(org.apsysfs.fuse.FuseMount.FSNAME)
                    || m.userId() != me) {
                continue;
            }
            if (Sys.lstatErrno(mp) == 107 /* ENOTCONN */) {
                abort(m.connection());
                fusermount(mp, "-u", "-z");
                try {
                    Files.deleteIfExists(mp);
                } catch (IOException e) {
                    // leave it
                }
            }
        }
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
