package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent workflow and a reboot, with the real programs: {@code chzdev -p --type ap}
 * (s390-tools, writes a udev rule), {@code mdevctl define --auto}, libvirt's
 * {@code nodedev-define} + {@code nodedev-autostart}, all kept in {@code shell --etc DIR};
 * then {@code scripts/apsysfs reboot} (and, separately, leaving the shell and entering it
 * again on a fresh boot): the masks are set by chzdev's rule and the mdevs started by
 * mdevctl's rule, run by the shell's systemd-udevd on the boot's uevents and the coldplug.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PersistentRebootTest {
    static final String U = "5a5a5a5a-0000-4000-8000-00000000000a";
    static final String V = "5a5a5a5a-0000-4000-8000-00000000000b";
    static final String NV = "mdev_" + V.replace('-', '_') + "_matrix";
    static final String F64 = "f".repeat(64);

    static String script(String body) {
        return ApsysfsShell.STEP_PRELUDE + "PATH=" + S390Tools.prefix().resolve("bin") + ":$PATH\nA=" + ApsysfsShell.SCRIPT
                + "\nL=" + ApsysfsShell.ROOT.resolve("tests/clients/with-libvirtd.sh") + "\nU=" + U + "\nV=" + V + "\nNV=" + NV
                + "\n" + body;
    }

    static final String CONFIGURE = """
            step chzdev chzdev -p --type ap apmask=-5,-6
            step rule cat /etc/udev/rules.d/41-ap.rules
            step define-u sh -c "mdevctl define -u $U -p matrix -t vfio_ap-passthrough --auto && mdevctl modify -u $U --addattr=assign_adapter --value=5 && mdevctl modify -u $U --addattr=assign_domain --value=4"
            step define-v $L sh -c "virsh nodedev-define $X/v.xml && virsh nodedev-autostart $NV"
            step defined mdevctl list --defined
            step not-yet sh -c 'cat /sys/bus/ap/apmask; ls /sys/bus/mdev/devices'
            """;

    @Test
    @MountedSysfs(perTest = true)
    void aRebootAppliesTheMasksAndStartsTheAutoMdevs(Path mnt, @TempDir Path tmp) throws Exception {
        ApsysfsShell.require("mdevctl", "mdevctl");
        ApsysfsShell.require("libvirtd", "libvirt-daemon-system");
        Files.writeString(tmp.resolve("v.xml"), LibvirtLifecycleTest.xml(V, 6, 5));
        Path etc = tmp.resolve("etc");
        String body = "X=" + tmp + "\n" + CONFIGURE + """
                step reboot $A reboot
                step apmask cat /sys/bus/ap/apmask
                step active mdevctl list
                step matrix-u cat /sys/bus/mdev/devices/$U/matrix
                step matrix-v cat /sys/bus/mdev/devices/$V/matrix
                step libvirt $L virsh nodedev-list --cap mdev
                step mdev-state grep -c 'MDEV_STATE=registered' /sys/kernel/debug/apsysfs/uevents
                step bad-reboot $A reboot ap.apmask=zz
                step after-bad sh -c 'cat /sys/bus/ap/apmask; ls /sys/bus/mdev/devices'
                step reboot-cmdline $A reboot ap.aqmask=0xffffffffffffffffffff
                step cmdline cat /sys/kernel/debug/apsysfs/cmdline
                step masks-cmdline cat /sys/bus/ap/apmask /sys/bus/ap/aqmask
                step queue-54 readlink /sys/devices/ap/card04/04.0054/driver
                step active-again mdevctl list
                """;
        List<String> args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
        args.addAll(List.of("--etc", etc.toString(), mnt.toString(), "--", "bash", "-c", script(body)));
        Result r = ApsysfsShell.run(args, Map.of(), null, Duration.ofSeconds(240));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());
        checkConfigured(s);

        assertThat(ok(s, "reboot")).contains("rebooted");
        assertThat(ok(s, "apmask")).isEqualTo("0xf9" + "f".repeat(62) + "\n");
        assertThat(ok(s, "active")).contains(U + " matrix vfio_ap-passthrough auto (defined)",
                V + " matrix vfio_ap-passthrough auto (defined)");
        assertThat(ok(s, "matrix-u")).isEqualTo("05.0004\n");
        assertThat(ok(s, "matrix-v")).isEqualTo("06.0005\n");
        assertThat(ok(s, "libvirt").lines().filter(l -> !l.isEmpty()).sorted().toList())
                .containsExactly("mdev_" + U.replace('-', '_') + "_matrix", NV);
        assertThat(ok(s, "mdev-state")).isEqualTo("1\n");

        Step bad = s.get("bad-reboot");
        assertThat(bad.rc()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("reboot refused or failed: apsysfs: reboot: refused: ap.apmask=zz is not a mask");
        assertThat(ok(s, "after-bad")).isEqualTo("0xf9" + "f".repeat(62) + "\n" + U + "\n" + V + "\n");

        assertThat(ok(s, "reboot-cmdline")).contains("rebooted with ap.aqmask=0xffffffffffffffffffff");
        assertThat(ok(s, "cmdline")).isEqualTo("ap.aqmask=0xffffffffffffffffffff\n");
        // ap.aqmask from the command line, apmask from chzdev's rule
        assertThat(ok(s, "masks-cmdline")).isEqualTo("0xf9" + "f".repeat(62) + "\n0x" + "f".repeat(20) + "0".repeat(44) + "\n");
        assertThat(ok(s, "queue-54")).endsWith("/vfio_ap\n");
        assertThat(ok(s, "active-again")).contains(U + " matrix", V + " matrix");
        // the persistent directories outlive the shell
        assertThat(etc.resolve("udev/rules.d/41-ap.rules")).exists();
        assertThat(etc.resolve("mdevctl.d/matrix/" + U)).exists();
        assertThat(etc.resolve("mdevctl.d/matrix/" + V)).exists();
        assertThat(Path.of("/etc/udev/rules.d/41-ap.rules")).as("the host's /etc").doesNotExist();
    }

    @Test
    void leavingTheShellAndEnteringItAgainBootsIntoTheSameConfiguration(@TempDir Path tmp) throws Exception {
        ApsysfsShell.require("mdevctl", "mdevctl");
        ApsysfsShell.require("libvirtd", "libvirt-daemon-system");
        Files.writeString(tmp.resolve("v.xml"), LibvirtLifecycleTest.xml(V, 6, 5));
        Path dir = tmp.resolve("tree");
        Path etc = tmp.resolve("etc");
        Map<String, String> env = Map.of(
                "APSYSFS_CLASSPATH", System.getProperty("java.class.path"),
                "APSYSFS_RUN_DIR", tmp.resolve("run").toString(),
                "APSYSFS_LOG_DIR", tmp.resolve("log").toString());
        Throwable failed = null;
        try {
            List<String> args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
            args.addAll(List.of("--etc", etc.toString(), dir.toString(), "--", "bash", "-c", script("X=" + tmp + "\n" + CONFIGURE)));
            Result first = ApsysfsShell.run(args, env, null, Duration.ofSeconds(200));
            assertThat(first.exitCode()).as(first.describe()).isZero();
            checkConfigured(ApsysfsShell.steps(first.stdout()));
            assertThat(first.stderr()).contains("unmounted " + dir);

            args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
            args.addAll(List.of("--etc", etc.toString(), dir.toString(), "--", "bash", "-c", script("""
                    step apmask cat /sys/bus/ap/apmask
                    step active mdevctl list
                    step libvirt $L virsh nodedev-list --cap mdev
                    """)));
            Result second = ApsysfsShell.run(args, env, null, Duration.ofSeconds(200));
            assertThat(second.exitCode()).as(second.describe()).isZero();
            Map<String, Step> s = ApsysfsShell.steps(second.stdout());
            assertThat(ok(s, "apmask")).isEqualTo("0xf9" + "f".repeat(62) + "\n");
            assertThat(ok(s, "active")).contains(U + " matrix vfio_ap-passthrough auto (defined)",
                    V + " matrix vfio_ap-passthrough auto (defined)");
            assertThat(ok(s, "libvirt").lines().filter(l -> !l.isEmpty()).sorted().toList())
                    .containsExactly("mdev_" + U.replace('-', '_') + "_matrix", NV);
        } catch (Throwable t) {
            failed = t;
            throw t;
        } finally {
            // each shell unmounted its tree; this stops a daemon a timed-out shell left behind
            List<String> umount = new ArrayList<>(List.of("env"));
            env.forEach((k, v) -> umount.add(k + "=" + v));
            umount.addAll(List.of(ApsysfsShell.SCRIPT.toString(), "umount", dir.toString()));
            try {
                Sys.run(umount, 60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (AssertionError e) {
                if (failed == null) {
                    throw e;
                }
                failed.addSuppressed(e); // the first failure is the one to report
            }
        }
    }

    private static void checkConfigured(Map<String, Step> s) {
        assertThat(ok(s, "chzdev")).contains("ap device type configured");
        assertThat(ok(s, "rule")).contains("ATTR{../../bus/ap/apmask}=\"0xf9" + "f".repeat(62) + "\"");
        ok(s, "define-u");
        assertThat(ok(s, "define-v")).contains("marked as autostarted");
        assertThat(ok(s, "defined")).contains(U + " matrix vfio_ap-passthrough auto", V + " matrix vfio_ap-passthrough auto");
        // persistent only: nothing changed in the running system
        assertThat(ok(s, "not-yet")).isEqualTo("0x" + F64 + "\n");
    }

    private static String ok(Map<String, Step> steps, String name) {
        Step st = steps.get(name);
        assertThat(st).as("step " + name + " ran; steps: " + steps.keySet()).isNotNull();
        assertThat(st.rc()).as("exit status of step " + name + ":\n" + st.output()).isZero();
        return st.output();
    }
}
