package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libvirt lifecycle of a vfio_ap mdev with Debian's libvirtd 9.0 (node-device driver,
 * udev backend) and mdevctl 1.2, against the simulated tree in {@code scripts/apsysfs shell}
 * with its systemd-udevd: {@code nodedev-define} → {@code nodedev-start} (active, listed
 * under {@code --cap mdev}) → {@code nodedev-autostart} → {@code nodedev-destroy} →
 * {@code nodedev-undefine} (gone from {@code --all}); transient {@code nodedev-create} with
 * and without a UUID, one that the kernel refuses (nothing left behind);
 * {@code nodedev-event --loop} and {@code udevadm monitor} see every create and remove.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LibvirtLifecycleTest {
    static final String U = "8a1b2c3d-0000-4000-8000-000000000001";
    static final String V = "8a1b2c3d-0000-4000-8000-000000000002";
    static final String N = "mdev_" + U.replace('-', '_') + "_matrix";
    static final String NV = "mdev_" + V.replace('-', '_') + "_matrix";

    static String xml(String uuid, int adapter, int domain) {
        return "<device>\n  <parent>ap_matrix</parent>\n  <capability type='mdev'>\n"
                + "    <type id='vfio_ap-passthrough'/>\n" + (uuid == null ? "" : "    <uuid>" + uuid + "</uuid>\n")
                + "    <attr name='assign_adapter' value='" + adapter + "'/>\n"
                + "    <attr name='assign_domain' value='" + domain + "'/>\n  </capability>\n</device>\n";
    }

    @Test
    void defineStartAutostartDestroyUndefineAndTransientCreates(Path mnt, @TempDir Path tmp) throws Exception {
        ApsysfsShell.require("libvirtd", "libvirt-daemon-system");
        ApsysfsShell.require("mdevctl", "mdevctl");
        Files.writeString(tmp.resolve("defined.xml"), xml(U, 5, 4));
        Files.writeString(tmp.resolve("transient.xml"), xml(V, 6, 4));
        Files.writeString(tmp.resolve("no-uuid.xml"), xml(null, 6, 5));
        Files.writeString(tmp.resolve("conflict.xml"), xml("8a1b2c3d-0000-4000-8000-000000000003", 6, 4));
        String script = ApsysfsShell.STEP_PRELUDE + """
                X=%s; N=%s; NV=%s; U=%s; V=%s; T=$(mktemp -d)
                echo -5,-6 > /sys/bus/ap/apmask
                virsh nodedev-event --loop --event lifecycle >$T/events.txt 2>&1 &
                ev=$!
                udevadm monitor --kernel --udev --subsystem-match=mdev >$T/udev.txt 2>&1 &
                mon=$!
                for i in $(seq 100); do grep -q '^UDEV - ' $T/udev.txt && break; sleep 0.05; done
                sleep 0.5
                step define virsh nodedev-define $X/defined.xml
                step list-all virsh nodedev-list --all --cap mdev
                step info-defined virsh nodedev-info $N
                step start virsh nodedev-start $N
                step list-active virsh nodedev-list --cap mdev
                step info-active virsh nodedev-info $N
                step matrix cat /sys/bus/mdev/devices/$U/matrix
                step autostart virsh nodedev-autostart $N
                step info-autostart virsh nodedev-info $N
                step mdevctl-defined mdevctl list --defined
                step destroy virsh nodedev-destroy $N
                step list-destroyed virsh nodedev-list --cap mdev
                step undefine virsh nodedev-undefine $N
                # libvirt learns of the removed definition from its inotify watch on /etc/mdevctl.d
                for i in $(seq 50); do virsh nodedev-list --all --cap mdev | grep -q $N || break; sleep 0.1; done
                step list-undefined virsh nodedev-list --all --cap mdev
                step create virsh nodedev-create $X/transient.xml
                step create-no-uuid virsh nodedev-create $X/no-uuid.xml
                step list-transient virsh nodedev-list --cap mdev
                step create-conflict virsh nodedev-create $X/conflict.xml
                step after-conflict ls /sys/bus/mdev/devices
                step destroy-transient virsh nodedev-destroy $NV
                step sysfs-left ls /sys/bus/mdev/devices
                udevadm settle --timeout=30
                sleep 1
                kill $ev $mon; wait $ev $mon 2>/dev/null
                step events cat $T/events.txt
                step udev cat $T/udev.txt
                """.formatted(tmp, N, NV, U, V);
        List<String> args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
        args.addAll(List.of(mnt.toString(), "--", ApsysfsShell.ROOT.resolve("tests/clients/with-libvirtd.sh").toString(),
                "bash", "-c", script));
        Result r = ApsysfsShell.run(args, Map.of("WITH_LIBVIRTD_LOG", "1"), null, Duration.ofSeconds(200));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        assertThat(ok(s, "define")).contains("Node device '" + N + "' defined from");
        assertThat(ok(s, "list-all")).isEqualTo(N + "\n\n");
        assertThat(ok(s, "info-defined")).containsPattern("Active: +no").containsPattern("Persistent: +yes");
        assertThat(ok(s, "start")).contains("Device " + N + " started");
        assertThat(ok(s, "list-active")).isEqualTo(N + "\n\n");
        assertThat(ok(s, "info-active")).containsPattern("Parent: +ap_matrix").containsPattern("Active: +yes")
                .containsPattern("Autostart: +no");
        assertThat(ok(s, "matrix")).isEqualTo("05.0004\n");
        assertThat(ok(s, "autostart")).contains("Device " + N + " marked as autostarted");
        assertThat(ok(s, "info-autostart")).containsPattern("Autostart: +yes");
        assertThat(ok(s, "mdevctl-defined")).contains(U + " matrix vfio_ap-passthrough auto");
        assertThat(ok(s, "destroy")).contains("Destroyed node device '" + N + "'");
        assertThat(ok(s, "list-destroyed")).isBlank();
        assertThat(ok(s, "undefine")).contains("Undefined node device '" + N + "'");
        assertThat(ok(s, "list-undefined")).isBlank();

        assertThat(ok(s, "create")).contains("Node device " + NV + " created from");
        Matcher m = Pattern.compile("Node device (mdev_([0-9a-f_]{36})_matrix) created").matcher(ok(s, "create-no-uuid"));
        assertThat(m.find()).as(s.get("create-no-uuid").output()).isTrue();
        String nw = m.group(1);
        String w = m.group(2).replace('_', '-');
        assertThat(ok(s, "list-transient").lines().filter(l -> !l.isEmpty()).sorted().toList())
                .containsExactlyElementsOf(List.of(NV, nw).stream().sorted().toList());
        Step conflict = s.get("create-conflict");
        assertThat(conflict.rc()).as(conflict.output()).isNotZero();
        assertThat(conflict.output()).contains("Address already in use");
        assertThat(ok(s, "after-conflict").lines().sorted().toList()).containsExactlyElementsOf(
                List.of(V, w).stream().sorted().toList());
        assertThat(ok(s, "destroy-transient")).contains("Destroyed node device '" + NV + "'");
        assertThat(ok(s, "sysfs-left")).isEqualTo(w + "\n");

        assertThat(ok(s, "events")).containsSubsequence(
                "node device " + N + ": Defined", "node device " + N + ": Created", "node device " + N + ": Deleted",
                "node device " + N + ": Undefined", "node device " + NV + ": Created", "node device " + nw + ": Created",
                "node device " + NV + ": Deleted");
        String udev = ok(s, "udev");
        for (String uuid : List.of(U, V)) {
            for (String kind : List.of("KERNEL", "UDEV")) {
                assertThat(udev).containsPattern(kind + " *\\[[0-9.]+\\] add +/devices/vfio_ap/matrix/" + uuid + " \\(mdev\\)")
                        .containsPattern(kind + " *\\[[0-9.]+\\] remove +/devices/vfio_ap/matrix/" + uuid + " \\(mdev\\)");
            }
        }
        assertThat(udev).containsPattern("UDEV *\\[[0-9.]+\\] add +/devices/vfio_ap/matrix/" + w + " \\(mdev\\)");
    }

    private static String ok(Map<String, Step> steps, String name) {
        Step st = steps.get(name);
        assertThat(st).as("step " + name + " ran; steps: " + steps.keySet()).isNotNull();
        assertThat(st.rc()).as("exit status of step " + name + ":\n" + st.output()).isZero();
        return st.output();
    }
}
