package org.apsysfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apsysfs.Daemon;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.kernel.Clock;
import org.apsysfs.netlink.AttachServer;
import org.apsysfs.netlink.UeventNetlink;
import org.apsysfs.state.Simulation;
import org.apsysfs.state.StateException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code apsysfs run DIR}: mount and serve in the foreground until unmounted or signalled. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Mount the simulated sysfs at DIR and serve it in the foreground.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "an empty directory to mount on")
    Path dir;

    @Option(names = "--machine", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "built-in machine name (default, full) or a machine file (default: ${DEFAULT-VALUE})")
    String machine;

    @Option(names = "--allow-other", description = "let other users read the tree (allow_other,default_permissions)")
    boolean allowOther;

    @Option(names = "--log-file", paramLabel = "FILE", description = "write the daemon log here (default: stderr)")
    Path logFile;

    @Option(names = "--single-threaded", description = "serve FUSE requests on one thread")
    boolean singleThreaded;

    @Option(names = "--state", paramLabel = "FILE",
            description = "keep the simulated state in FILE: restore it on start if it exists (else boot --machine and "
                    + "create it), save every acknowledged change before the write returns, and save on exit")
    Path stateFile;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "also serve the live page (the matrix picture, dmesg and uevents, updated as the state "
                    + "changes) at http://HOST:PORT/; loopback addresses only (127.0.0.1, ::1); port 0: any free one")
    String http;

    @Option(names = "--uevent-socket", paramLabel = "PATH",
            description = "accept NETLINK_KOBJECT_UEVENT sockets of private network namespaces at this UNIX socket "
                    + "(apsysfs netlink-attach PATH) and multicast every uevent into them")
    Path ueventSocket;

    @Override
    public Integer call() throws Exception {
        if (logFile != null) {
            LogSetup.logTo(logFile);
        }
        FuseMount.preload(); // started by Main already; jnr-fuse's setup runs while the machine boots
        Path mnt = dir.toAbsolutePath().normalize();
        String problem = checkMountpoint(mnt);
        if (problem != null) {
            System.err.println("apsysfs: " + problem);
            return 2;
        }
        java.net.InetSocketAddress httpAddr = null;
        if (http != null) {
            try {
                httpAddr = org.apsysfs.live.LivePage.parse(http);
            } catch (IllegalArgumentException e) {
                System.err.println("apsysfs: " + e.getMessage());
                return 2;
            }
        }
        Simulation sim;
        try {
            if (stateFile != null) {
                sim = Simulation.withStateFile(machine, Clock.system(), stateFile);
            } else {
                sim = Simulation.of(Daemon.create(machine));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("apsysfs: " + e.getMessage());
            return 2;
        } catch (StateException e) {
            System.err.println("apsysfs: state file " + stateFile.toAbsolutePath().normalize() + " is not usable: "
                    + e.getMessage());
            System.err.println("apsysfs: not starting; the file is left as it is (fix it, or move it away to start afresh)");
            return 2;
        }
        AttachServer attach = null;
        if (ueventSocket != null) {
            try {
                attach = AttachServer.start(ueventSocket.toAbsolutePath().normalize());
            } catch (IOException e) {
                System.err.println("apsysfs: --uevent-socket: " + e.getMessage());
                sim.close();
                return 2;
            }
            UeventNetlink netlink = attach.netlink();
            sim.onServe((d, booted) -> netlink.adopt(d.kernel(), booted));
        }
        FuseMount mount = new FuseMount(sim::kernfs, mnt, allowOther, singleThreaded);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> mount.unmount(2, TimeUnit.SECONDS), "apsysfs-shutdown"));
        // SIGTERM/SIGINT/SIGHUP: unmount and return normally (exit 0) instead of the JVM's 143/130/129
        Signals.onStop(() -> mount.unmount(2, TimeUnit.SECONDS));
        if (!mount.start(30, TimeUnit.SECONDS)) {
            System.err.println("apsysfs: mounting " + mnt + " failed (see the log)");
            if (attach != null) {
                attach.close();
            }
            return 1;
        }
        org.apsysfs.live.LivePage page = null;
        if (httpAddr != null) {
            try {
                page = org.apsysfs.live.LivePage.start(sim, httpAddr);
            } catch (IOException e) {
                System.err.println("apsysfs: cannot serve the live page at " + http + ": " + e.getMessage());
                mount.unmount(2, TimeUnit.SECONDS);
                if (attach != null) {
                    attach.close();
                }
                sim.close();
                return 2;
            }
            org.slf4j.LoggerFactory.getLogger("apsysfs").info("live page at {}", page.url());
        }
        sim.daemon().kernel().log().info("apsysfs: serving %s at %s", sim.daemon().machineName(), mnt);
        mount.awaitUnmounted();
        if (page != null) {
            page.close();
        }
        sim.daemon().kernel().log().info("apsysfs: %s unmounted", mnt);
        int rc = 0;
        try {
            sim.saveNow();
        } catch (IOException e) {
            System.err.println("apsysfs: cannot save the state to " + stateFile + ": " + e.getMessage());
            rc = 1;
        }
        if (attach != null) {
            attach.close();
        }
        sim.close();
        return rc;
    }

    static String checkMountpoint(Path mnt) throws IOException {
        if (!Files.isDirectory(mnt)) {
            return mnt + " is not a directory";
        }
        if (FuseMount.isMountPoint(mnt)) {
            return mnt + " is already a mount point (unmount it first, e.g. scripts/apsysfs umount " + mnt + ")";
        }
        try (var s = Files.list(mnt)) {
            if (s.findAny().isPresent()) {
                return mnt + " is not empty";
            }
        }
        return null;
    }
}
