package org.apsysfs.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apsysfs.clients.ApsysfsShell;
import org.apsysfs.clients.S390Tools;
import org.apsysfs.scenarios.Scenario.Command;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transcripts in {@code tests/scenarios/live/}: the same format as those of
 * {@link ScenariosTest}, but each runs inside {@code scripts/apsysfs shell --etc DIR} (its own
 * network namespace, systemd-udevd, private libvirt directories) under
 * {@code tests/clients/with-libvirtd.sh}, with {@code SYSFS=/sys}, the built s390-tools and
 * {@code scripts/} first on PATH: the real chzdev, mdevctl, virsh and libvirtd, udevd's rules,
 * and {@code apsysfs reboot}. {@code -Dapsysfs.scenario=TEXT} and
 * {@code -Dapsysfs.scenarios.record} work as there.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveScenariosTest {
    static final Path DIR = ScenariosTest.DIR.resolve("live");

    @Test
    void thePersistentLibvirtWorkflowAndAReboot(Path mnt, @TempDir Path tmp) throws Exception {
        run(DIR.resolve("12-persistent-libvirt-reboot.txt"), mnt, tmp);
    }

    @Test
    void everyLiveScenarioHasATest() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).toList())
                    .containsExactly("12-persistent-libvirt-reboot.txt");
        }
    }

    static void run(Path file, Path mnt, Path tmp) throws Exception {
        ApsysfsShell.require("mdevctl", "mdevctl");
        ApsysfsShell.require("libvirtd", "libvirt-daemon-system");
        ApsysfsShell.require("udevadm", "udev");
        Scenario sc = Scenario.parse(file.getFileName().toString(), Files.readString(file));
        List<Command> cmds = sc.commands();
        String script = "export SYSFS=/sys LC_ALL=C PATH=" + S390Tools.prefix().resolve("bin") + ":"
                + ApsysfsShell.ROOT.resolve("scripts") + ":$PATH\n" + ScenariosTest.script(cmds);
        List<String> args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
        args.addAll(List.of("--etc", tmp.resolve("etc").toString(), mnt.toString(), "--",
                ApsysfsShell.ROOT.resolve("tests/clients/with-libvirtd.sh").toString(), "bash", "-c", script));
        ApsysfsShell.Result r = ApsysfsShell.run(args,
                Map.of("APSYSFS_CLASSPATH", System.getProperty("java.class.path")), null, Duration.ofSeconds(240));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        ScenariosTest.check(file, sc, r.stdout(), "\n--- stderr of the shell\n" + r.stderr());
    }
}
