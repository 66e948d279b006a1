package org.apsysfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apsysfs.kernel.Mountinfo;
import org.apsysfs.sysfs.Kernfs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a {@link Kernfs} tree with the options sysfs semantics need and unmounts it again.
 * The mount is set up and served by a {@link FuseLoop} on its own thread ("fuse-main");
 * the file system's init/destroy callbacks say when it serves and when it is gone.
 */
public final class FuseMount {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final java.util.concurrent.atomic.AtomicBoolean PRELOADING =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The mount's source ({@code fsname}), as /proc/self/mountinfo shows it:
     * {@code apsysfs@CHECKOUT}, CHECKOUT being the directory the daemon's code was built in (the
     * one holding {@code target/}), so that a stale mount tells which checkout's daemon left it
     * ({@code scripts/test} clears only its own). Plain {@code apsysfs} when that directory is
     * unknown or has a character outside {@code [A-Za-z0-9/._+-]} (no escaping needed anywhere).
     */
    public static final String FSNAME = fsname();

    private final SysfsFuse fs;
    private final Path mountPoint;
    /** The mount's device once mounted ("MAJOR:MINOR"), or null. */
    private volatile String servedDev;
    private final Supplier<Kernfs> source;
    private final boolean singleThreaded;
    private final String[] argv;
    private final Thread thread;
    private volatile Throwable failure;
    private volatile FuseLoop loop;

    public FuseMount(Kernfs kernfs, Path mountPoint, boolean allowOther, boolean singleThreaded) {
        this(() -> kernfs, mountPoint, allowOther, singleThreaded);
    }

    /** Serves whichever tree {@code source} gives at the time of each request. */
    public FuseMount(Supplier<Kernfs> source, Path mountPoint, boolean allowOther, boolean singleThreaded) {
        this.fs = new SysfsFuse(source);
        this.source = source;
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
        this.singleThreaded = singleThreaded;
        // atomic_o_trunc: open(O_TRUNC) comes as one OPEN with O_TRUNC in its flags instead of
        // a SETATTR (truncate + getattr) first; attributes ignore the truncation either way
        // entry_timeout=0, attr_timeout=0: what a reply says unless KernelCache raises it; with
        // KernelCache.Mode.CACHE libfuse answers a LOOKUP of a missing name with a negative entry
        // (KernelCache keeps it or not, and invalidates it when the name appears)
        KernelCache.Mode mode = FuseLoop.cacheMode(!singleThreaded);
        String opts = "fsname=" + FSNAME + ",subtype=apsysfs,direct_io,entry_timeout=0,attr_timeout=0,negative_timeout="
                + (mode == KernelCache.Mode.CACHE ? KernelCache.VALID_SECONDS : 0) + ",atomic_o_trunc";
        if (allowOther) {
            opts += ",allow_other,default_permissions";
        } else if (runsAsRoot()) {
            // the kernel lets only the mounting uid AND gid in (fuse_allow_current_process):
            // root with another group (sudo -g, a service's primary group) would be refused.
            // allow_root: the kernel lets everyone in and libfuse answers EACCES to every uid
            // but the owner's and root's, so uid 0 with any gid is root on the tree, as on sysfs
            opts += ",allow_root";
        }
        // what jnr-fuse's mount() passes to fuse_main_real, minus -s: the loop is ours
        this.argv = new String[] {"apsysfs", "-f", this.mountPoint.toString(), "-o", opts};
        this.thread = new Thread(this::serve, "fuse-main");
        this.thread.setDaemon(true);
    }

    private void serve() {
        try {
            FuseLoop l = FuseLoop.setup(fs.operations(), argv, !singleThreaded, source);
            loop = l;
            l.onStuck(() -> {
                try {
                    fusermount("-u", "-z");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                if (l.run() != 0) {
                    LOG.error("apsysfs: serving {} ended with an error", mountPoint);
                }
            } finally {
                l.teardown();
            }
        } catch (Throwable t) {
            failure = t;
            LOG.error("apsysfs: mount of {} failed", mountPoint, t);
        } finally {
            fs.ready().countDown();
            fs.gone().countDown();
        }
    }

    /**
     * Loads jnr-fuse, generates its native callback stubs and loads libfuse on a background
     * thread, so that a mount made later finds them ready. Call it first thing when a mount
     * will follow: it takes a few hundred milliseconds of CPU that otherwise come after the
     * machine has booted. Idempotent; never fails (a real mount reports any problem).
     */
    public static void preload() {
        if (PRELOADING.compareAndSet(false, true)) {
            Thread t = new Thread(() -> {
                try {
                    SysfsFuse.preload();
                    FuseLoop.library();
                } catch (Throwable e) {
                    LOG.debug("apsysfs: FUSE preload failed: {}", e.toString());
                }
            }, "fuse-preload");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Starts serving; true once the kernel has initialised the mount. */
    public boolean start(long timeout, TimeUnit unit) throws InterruptedException {
        thread.start();
        boolean ok = fs.ready().await(timeout, unit);
        ok = ok && failure == null && thread.isAlive() && fs.gone().getCount() > 0;
        if (ok) {
            // who serves which mount (the simulated devtmpfs attaches only shells of this tree)
            servedDev = Mountinfo.deviceAt(mountPoint);
            if (servedDev != null) {
                Kernfs.servedOn(servedDev, source);
            }
        }
        return ok;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    public SysfsFuse fileSystem() {
        return fs;
    }

    /** The request loop once mounted (null before), for tests and diagnostics. */
    FuseLoop loop() {
        return loop;
    }

    /** Blocks until the mount is gone (unmounted from outside, or by {@link #unmount}). */
    public void awaitUnmounted() throws InterruptedException {
        thread.join();
    }

    /**
     * Unmounts and waits for the serving thread to end; escalates to a lazy unmount when the
     * mount is busy.
     */
    public void unmount(long timeout, TimeUnit unit) {
        String dev = servedDev;
        if (dev != null) {
            Kernfs.notServedOn(dev);
        }
        if (!thread.isAlive()) {
            return;
        }
        try {
            if (!fusermount("-u") && thread.isAlive()) {
                fusermount("-u", "-z");
            }
            thread.join(unit.toMillis(timeout));
            if (thread.isAlive()) {
                fusermount("-u", "-z");
                thread.join(unit.toMillis(timeout));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean fusermount(String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("fusermount");
        cmd.addAll(List.of(args));
        cmd.add(mountPoint.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            if (rc != 0 && !out.isEmpty()) {
                LOG.debug("{}: {}", cmd, out);
            }
            return rc == 0;
        } catch (IOException e) {
            LOG.warn("cannot run fusermount: {}", e.toString());
            return false;
        }
    }

    private static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String fsname() {
        try {
            Path p = Path.of(FuseMount.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toRealPath();
            // target/classes or target/apsysfs.jar: the checkout is above target/
            Path dir = Files.isDirectory(p) ? p : p.getParent();
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("classes")) {
                dir = dir.getParent();
            }
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("target")) {
                dir = dir.getParent();
            }
            if (dir != null && dir.toString().matches("[A-Za-z0-9/._+-]+")) {
                return "apsysfs@" + dir;
            }
        } catch (Exception e) {
            // no code source (a custom class loader): untagged
        }
        return "apsysfs";
    }

    /** One line of /proc/self/mountinfo: paths unescaped, the FUSE owner from {@code user_id=}. */
    public record MountInfo(String device, Path mountPoint, String fstype, String source, int userId) {
        /** The FUSE connection number (the device minor for major 0). */
        public String connection() {
            return device.substring(device.indexOf(':') + 1);
        }
    }

    /** Every mount of this process's namespace, in mount order (empty if unreadable). */
    public static List<MountInfo> mounts() {
        List<MountInfo> out = new ArrayList<>();
        for (Mountinfo.Mount m : Mountinfo.of("self")) {
            out.add(new MountInfo(m.dev(), Path.of(m.mountPoint()), m.fstype(), m.source(), m.userId()));
        }
        return out;
    }

    /** True if {@code dir} is a mount point according to /proc/self/mountinfo. */
    public static boolean isMountPoint(Path dir) throws IOException {
        String want = dir.toAbsolutePath().normalize().toString();
        for (Mountinfo.Mount m : Mountinfo.of("self")) {
            if (m.mountPoint().equals(want)) {
                return true;
            }
        }
        return false;
    }

}
