package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uevents on netlink and a real systemd-udevd in {@code scripts/apsysfs shell}: what
 * {@code udevadm monitor --kernel --udev} receives in the shell is, event by event, what
 * {@code kernel/debug/apsysfs/uevents} shows (SEQNUM aside: the kernel's injection path
 * appends the host's); {@code udevadm settle} works; the host's own {@code udevadm monitor}
 * receives none of it; a udevd that dies is reported and the simulated kernel goes on.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveUdevTest {
    static final String U = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    /** One event: the monitor's header line without its timestamp, then the variables but SEQNUM. */
    record Ev(String kind, String head, List<String> props) {
    }

    /**
     * Parses {@code udevadm monitor --property} output or the uevents file: an event starts at
     * a "KERNEL[" or "UDEV[" line; blank lines are skipped (a value may end in a newline, as
     * ap_send_mask_changed_uevent's APMASK= does).
     */
    static List<Ev> parse(String text, String kind) {
        List<Ev> out = new ArrayList<>();
        String head = null;
        List<String> props = null;
        for (String line : (text + "\nEND[").split("\n")) {
            if (line.startsWith("KERNEL[") || line.startsWith("UDEV") && line.matches("UDEV +\\[.*") || line.equals("END[")) {
                if (head != null) {
                    out.add(new Ev(kind, head, props));
                }
                head = null;
                if (line.startsWith(kind)) {
                    // "KERNEL[1234.5678] add      /devices/ap/card04 (ap)": action, devpath, subsystem
                    String[] w = line.substring(line.indexOf(']') + 1).trim().split("\\s+");
                    head = w[0] + " " + w[1] + " " + w[2];
                    props = new ArrayList<>();
                }
            } else if (head != null && !line.isEmpty() && !line.startsWith("SEQNUM=")
                    && !line.startsWith("USEC_INITIALIZED=")) {
                props.add(line);
            }
        }
        return out;
    }

    @Test
    void theShellsUdevSeesEveryUeventAndTheHostNone(Path mnt, @TempDir Path tmp) throws Exception {
        ApsysfsShell.require("udevadm", "udev");
        // the host's own monitor, in the test's (the host's) network namespace
        Path hostOut = tmp.resolve("host-monitor.txt");
        Process host = new ProcessBuilder("udevadm", "monitor", "--kernel", "--property")
                .redirectOutput(hostOut.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        try {
            for (int i = 0; i < 100 && !Files.readString(hostOut).contains("KERNEL - "); i++) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(hostOut)).as("the host monitor listens").contains("KERNEL - the kernel uevent");
            String script = ApsysfsShell.STEP_PRELUDE + """
                    U=%s; M=/sys/devices/vfio_ap/matrix; T=$(mktemp -d)
                    step netns sh -c '[ "$(readlink /proc/self/ns/net)" != "%s" ] && echo private'
                    step udevd-runs %s/scripts/apsysfs udevd status
                    mark=$(grep '^SEQNUM=' /sys/kernel/debug/apsysfs/uevents | tail -n 1 | cut -d= -f2)
                    udevadm monitor --kernel --udev --property >$T/mon.txt 2>&1 &
                    mon=$!
                    for i in $(seq 100); do grep -q '^UDEV - ' $T/mon.txt && break; sleep 0.05; done
                    echo -5,-6 > /sys/bus/ap/apmask
                    echo $U > $M/mdev_supported_types/vfio_ap-passthrough/create
                    echo 5 > $M/$U/assign_adapter
                    echo "change $U ABC=1" > $M/$U/uevent
                    echo add > /sys/bus/ap/uevent
                    echo add > /sys/bus/ap/drivers/vfio_ap/uevent
                    echo 0x0b > /sys/kernel/debug/apsysfs/host/adapter_remove
                    echo 1 > $M/$U/remove
                    echo 0x0b > /sys/kernel/debug/apsysfs/host/adapter_add
                    step settle udevadm settle --timeout=30
                    n=$(awk -v m=$mark '/^KERNEL\\[/ { if (substr($0, 8) + 0 > m) n++ } END { print n }' /sys/kernel/debug/apsysfs/uevents)
                    for i in $(seq 100); do [ "$(grep -c '^UDEV ' $T/mon.txt)" -ge "$n" ] && break; sleep 0.05; done
                    kill $mon; wait $mon 2>/dev/null
                    step monitor cat $T/mon.txt
                    step uevents awk -v m=$mark '/^KERNEL\\[/ { p = (substr($0, 8) + 0 > m) } p' /sys/kernel/debug/apsysfs/uevents
                    step netlink cat /sys/kernel/debug/apsysfs/netlink
                    """.formatted(U, Files.readSymbolicLink(Path.of("/proc/self/ns/net")), ApsysfsShell.ROOT);
            Result r = ApsysfsShell.bash(mnt, script, Duration.ofSeconds(120));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            var s = ApsysfsShell.steps(r.stdout());
            assertThat(ok(s, "netns")).isEqualTo("private\n");
            assertThat(ok(s, "udevd-runs")).startsWith("systemd-udevd runs (pid ");
            ok(s, "settle");

            List<Ev> sent = parse(ok(s, "uevents"), "KERNEL");
            List<Ev> kernel = parse(ok(s, "monitor"), "KERNEL");
            List<Ev> udev = parse(ok(s, "monitor"), "UDEV");
            assertThat(sent).extracting(Ev::head).contains(
                    "add /devices/vfio_ap/matrix/" + U + " (mdev)", "change /devices/vfio_ap/matrix/" + U + " (mdev)",
                    "add /bus/ap (bus)", "add /bus/ap/drivers/vfio_ap (drivers)", "remove /devices/ap/card0b (ap)",
                    "add /devices/ap/card0b/0b.0047 (ap)", "remove /devices/vfio_ap/matrix/" + U + " (mdev)");
            // what netlink carried, in order and variable by variable, is what the kernel sent
            assertThat(kernel).isEqualTo(sent);
            assertThat(sent.stream().filter(e -> e.head().startsWith("change /devices/vfio_ap/matrix/")).findFirst()
                    .orElseThrow().props()).contains("SYNTH_UUID=" + U, "SYNTH_ARG_ABC=1");
            // and udevd processed and rebroadcast every one of them
            assertThat(udev).extracting(Ev::head).containsExactlyInAnyOrderElementsOf(
                    sent.stream().map(Ev::head).toList());
            assertThat(ok(s, "netlink")).containsPattern("net:\\[\\d+\\] sent \\d+ since \\d+ apsysfs shell");
        } finally {
            host.destroy();
            host.waitFor(5, TimeUnit.SECONDS);
        }
        String seenByHost = Files.readString(hostOut);
        assertThat(seenByHost).as("the host's netlink").doesNotContain("/devices/ap", "/devices/vfio_ap", "/bus/ap");
    }

    @Test
    void aUdevdThatDiesIsReportedAndTheKernelGoesOn(Path mnt) {
        String script = ApsysfsShell.STEP_PRELUDE + """
                A=%s/scripts/apsysfs
                # a reboot restarts udevd; its watcher must not hold the pipe of the caller
                step reboot-pipe timeout 90 sh -c "$A reboot 2>&1 | cat"
                pid=$(cat $APSYSFS_SHELL_STAGE/udevd.pid)
                kill -KILL $pid
                for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
                sleep 0.3
                step status $A udevd status
                step write sh -c 'echo -5 > /sys/bus/ap/apmask && cat /sys/bus/ap/apmask'
                step start $A udevd start
                step status-again $A udevd status
                step settle udevadm settle --timeout=30
                """.formatted(ApsysfsShell.ROOT);
        Result r = ApsysfsShell.bash(mnt, script, Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        var s = ApsysfsShell.steps(r.stdout());
        assertThat(ok(s, "reboot-pipe")).isEqualTo("apsysfs: rebooted\n");
        Step st = s.get("status");
        assertThat(st.rc()).as(st.output()).isEqualTo(3);
        assertThat(st.output()).isEqualTo("systemd-udevd does not run\n");
        assertThat(ok(s, "write")).startsWith("0xfb");
        ok(s, "start");
        assertThat(ok(s, "status-again")).startsWith("systemd-udevd runs (pid ");
        ok(s, "settle");
        assertThat(r.stderr()).containsPattern("systemd-udevd \\(pid \\d+\\) died \\(exit status 137\\): udev rules no "
                + "longer run and libudev listeners get no events; the simulated kernel goes on")
                .contains("Start it again with: scripts/apsysfs udevd start");
        // the report of the udevd started by the reboot goes to the shell's stderr, not the pipe
        assertThat(ok(s, "reboot-pipe")).doesNotContain("died");
        // stopped on purpose by the reboot and at the end of the shell: no report
        assertThat(r.stderr().split("died", -1)).hasSize(2);
    }

    private static String ok(java.util.Map<String, Step> steps, String name) {
        Step st = steps.get(name);
        assertThat(st).as("step " + name + " ran; steps: " + steps.keySet()).isNotNull();
        assertThat(st.rc()).as("exit status of step " + name + ":\n" + st.output()).isZero();
        return st.output();
    }
}
