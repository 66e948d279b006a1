package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/apsysfs shell}: the namespace, its private directories, exit status, refusals. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShellCommandTest {
    static final Duration T = Duration.ofSeconds(60);

    @Test
    @MountedSysfs
    void theTreeIsAtSys(Path mnt) {
        Result r = ApsysfsShell.bash(mnt, """
                set -e
                for p in bus/ap devices/ap devices/vfio_ap bus/mdev bus/matrix class/mdev_bus kernel/iommu_groups \\
                         kernel/debug/apsysfs/dmesg; do test -e /sys/$p; done
                readlink -f /sys/bus/ap/devices/05.0047
                readlink -f /sys/class/mdev_bus/matrix
                cat /sys/bus/ap/bindings
                echo "verify=$SYSTEMD_DEVICE_VERIFY_SYSFS root=${SYSFS_ROOT-unset} shell=$APSYSFS_SHELL"
                findmnt -n -o FSTYPE /sys | tail -n 1   # the topmost of the mounts at /sys
                """, T);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).isEqualTo("""
                /sys/devices/ap/card05/05.0047
                /sys/devices/vfio_ap/matrix
                16/16 (complete)
                verify=0 root=unset shell=%s
                fuse.apsysfs
                """.formatted(mnt));
    }

    @Test
    @MountedSysfs
    void exitStatusAndStdinAreTheCommands(Path mnt) {
        Result r = ApsysfsShell.run(List.of(mnt.toString(), "--", "sh", "-c", "cat; exit 42"), Map.of(), "hello\n", T);
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(42);
        assertThat(r.stdout()).isEqualTo("hello\n");
        Result k = ApsysfsShell.run(List.of(mnt.toString(), "--", "sh", "-c", "kill -TERM $$"), Map.of(), null, T);
        assertThat(k.exitCode()).as(k.describe()).isEqualTo(128 + 15);
        Result missing = ApsysfsShell.run(List.of(mnt.toString(), "--", "no-such-command-here"), Map.of(), null, T);
        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(127);
    }

    @Test
    @MountedSysfs
    void privateDirectoriesAreWritableCopiesAndTheHostDoesNotChange(Path mnt) throws IOException {
        List<String> before = snapshot();
        Result r = ApsysfsShell.bash(mnt, """
                set -e
                test -d /etc/mdevctl.d/scripts.d || test ! -d /usr/share/doc/mdevctl  # the copy keeps the contents
                for d in /etc/mdevctl.d /etc/udev/rules.d /run/lock; do
                    echo x > $d/apsysfs-shell-test; cat $d/apsysfs-shell-test
                done
                """, T);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).isEqualTo("x\nx\nx\n");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @MountedSysfs
    void theNamespaceEndsWithTheCommand(Path mnt) throws IOException {
        // a background process would keep the namespace (and its bind of the tree) alive
        Result r = ApsysfsShell.bash(mnt, "sleep 313.25 & echo started", T);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(processesWithArg("313.25")).isEmpty();
        assertThat(bindsOfTheTree()).as("mounts of fuse.apsysfs at /sys in any namespace").isEmpty();
    }

    @Test
    void aNormalUserNeverJoinsAnotherUsersDaemon(@TempDir Path tmp) throws Exception {
        // A normal user's shell runs in a user namespace of its own (scripts/apsysfs cmd_shell);
        // a tree served by root's daemon is refused before anything is mounted or entered.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("tree");
        Map<String, String> env = launcherEnv(tmp);
        try {
            Result keep = ApsysfsShell.run(List.of("--keep", dir.toString(), "--", "true"), env, null, T);
            assertThat(keep.exitCode()).as(keep.describe()).isZero();
            Sys.ProcResult r = Sys.runAsNobody(ApsysfsShell.SCRIPT.toString(), "shell", dir.toString(), "--", "true");
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).contains(dir + " is served by another user's daemon (uid 0)");
            assertThat(isMounted(dir)).as("root's tree stays served").isTrue();
        } finally {
            umount(env, dir);
        }
        assertThat(isMounted(dir)).isFalse();
    }

    @Test
    void mountsTheTreeWhenNotServedAndUnmountsItAfterwards(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tree");
        Map<String, String> env = launcherEnv(tmp);
        try {
            Result r = ApsysfsShell.run(List.of(dir.toString(), "--", "cat", "/sys/bus/ap/bindings"), env, null, T);
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).isEqualTo("16/16 (complete)\n");
            assertThat(r.stderr()).contains("is not served; mounting it", "unmounted " + dir);
            assertThat(isMounted(dir)).isFalse();

            Result keep = ApsysfsShell.run(List.of("--keep", dir.toString(), "--", "true"), env, null, T);
            assertThat(keep.exitCode()).as(keep.describe()).isZero();
            assertThat(keep.stderr()).contains("leaving " + dir + " served");
            assertThat(isMounted(dir)).isTrue();
        } finally {
            umount(env, dir);
        }
        assertThat(isMounted(dir)).isFalse();
    }

    // ------------------------------------------------------------------ helpers

    /** The launcher run from the build tree, with its pid and log files under {@code tmp}. */
    static Map<String, String> launcherEnv(Path tmp) {
        return Map.of(
                "APSYSFS_CLASSPATH", System.getProperty("java.class.path"),
                "APSYSFS_RUN_DIR", tmp.resolve("run").toString(),
                "APSYSFS_LOG_DIR", tmp.resolve("log").toString());
    }

    /** {@code scripts/apsysfs umount DIR} with that environment. */
    static void umount(Map<String, String> env, Path dir) {
        List<String> umount = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> umount.add(k + "=" + v));
        umount.addAll(List.of(ApsysfsShell.SCRIPT.toString(), "umount", dir.toString()));
        Sys.run(umount, 30, java.util.concurrent.TimeUnit.SECONDS);
    }

    static boolean isMounted(Path dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(dir.toString()));
    }

    /** What the shell must not change on the host. */
    static List<String> snapshot() throws IOException {
        List<String> out = new ArrayList<>();
        for (String d : List.of("/etc/mdevctl.d", "/etc/udev/rules.d", "/run/lock")) {
            if (Files.isDirectory(Path.of(d))) {
                try (Stream<Path> w = Files.walk(Path.of(d))) {
                    w.map(Path::toString).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    static List<Long> processesWithArg(String arg) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(arg)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    /** Every fuse.apsysfs mount at /sys, in the mount namespace of any process. */
    static List<String> bindsOfTheTree() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    for (String l : Files.readAllLines(p.resolve("mountinfo"))) {
                        String[] f = l.split(" ");
                        if (f[4].equals("/sys") && l.contains(" - fuse.apsysfs ")) {
                            found.add(p + ": " + l);
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }
        }
        return found;
    }
}
