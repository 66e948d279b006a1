package org.apsysfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apsysfs.netlink.Sockets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code apsysfs netlink-attach SOCKET}: run inside a private network namespace, hands a
 * {@code NETLINK_KOBJECT_UEVENT} socket of that namespace to the daemon listening at SOCKET
 * ({@code run --uevent-socket}), prints the daemon's answer and stays until the daemon goes
 * away or this process is killed; the daemon multicasts uevents into the namespace meanwhile.
 */
@Command(name = "netlink-attach", mixinStandardHelpOptions = true,
        description = "Let the daemon at SOCKET multicast its uevents into this network namespace while this runs.")
final class NetlinkAttachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOCKET", description = "the daemon's --uevent-socket")
    Path socket;

    @Option(names = "--label", paramLabel = "TEXT", description = "shown in kernel/debug/apsysfs/netlink")
    String label;

    @Override
    public Integer call() throws Exception {
        Sockets.Attached a;
        try {
            a = Sockets.attach(socket, label != null ? label : "netlink-attach pid " + ProcessHandle.current().pid());
        } catch (java.io.IOException e) {
            System.out.println("error: " + e.getMessage());
            System.out.flush();
            return 1;
        }
        System.out.println(a.reply().isEmpty() ? "error: the daemon closed the connection" : a.reply());
        System.out.flush();
        if (!a.reply().startsWith("ok ")) {
            return 1;
        }
        a.awaitClose();
        return 0;
    }
}
