package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libvirt's node-device driver (libvirtd 9.0, udev backend) and udevadm, unmodified, against
 * the simulated tree: {@code virsh nodedev-list --cap ap_card|ap_queue|ap_matrix|mdev|mdev_types},
 * {@code nodedev-dumpxml} of each kind, {@code udevadm info} of a card, a queue, the matrix
 * device and an mdev. libvirtd runs inside {@code scripts/apsysfs shell} (so it ends with it),
 * on a UNIX socket in a temporary directory, with private copies of its state directories.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LibvirtUdevTest {
    static final String U = "5e0c8a9b-7f6d-4e3c-9b2a-1d0e0f000001";
    static final String UU = U.replace('-', '_');

    /** Queues 05.* and 06.* to vfio_ap, an mdev with 05.0004 and 05.0047. */
    @BeforeEach
    void configure(Path mnt) {
        write(mnt, "bus/ap/apmask", "-5,-6");
        write(mnt, "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", U);
        write(mnt, "devices/vfio_ap/matrix/" + U + "/assign_adapter", "5");
        write(mnt, "devices/vfio_ap/matrix/" + U + "/assign_domain", "4");
        write(mnt, "devices/vfio_ap/matrix/" + U + "/assign_domain", "0x47");
    }

    @Test
    void virshNodeDevices(Path mnt) {
        ApsysfsShell.require("libvirtd", "libvirt-daemon-system");
        ApsysfsShell.require("virsh", "libvirt-clients");
        StringBuilder script = new StringBuilder(ApsysfsShell.STEP_PRELUDE);
        for (String cap : List.of("ap_card", "ap_queue", "ap_matrix", "mdev", "mdev_types")) {
            script.append("step list-").append(cap).append(" virsh nodedev-list --cap ").append(cap).append('\n');
        }
        for (String dev : List.of("ap_card04", "ap_card06", "ap_05_0004", "ap_04_0047", "ap_matrix",
                "mdev_" + UU + "_matrix")) {
            script.append("step xml-").append(dev).append(" virsh nodedev-dumpxml ").append(dev).append('\n');
        }
        List<String> args = new ArrayList<>(ApsysfsShell.LIBVIRT_PRIVATE);
        args.addAll(List.of(mnt.toString(), "--", ApsysfsShell.ROOT.resolve("tests/clients/with-libvirtd.sh").toString(),
                "bash", "-c", script.toString()));
        Result r = ApsysfsShell.run(args, Map.of("WITH_LIBVIRTD_LOG", "1"), null, Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        assertThat(ok(s, "list-ap_card")).isEqualTo("ap_card04\nap_card05\nap_card06\nap_card0b\n\n");
        List<String> queues = new ArrayList<>();
        for (String a : List.of("04", "05", "06", "0b")) {
            for (String d : List.of("0004", "0005", "0047", "0054")) {
                queues.add("ap_" + a + "_" + d);
            }
        }
        assertThat(ok(s, "list-ap_queue")).isEqualTo(String.join("\n", queues) + "\n\n");
        assertThat(ok(s, "list-ap_matrix")).isEqualTo("ap_matrix\n\n");
        assertThat(ok(s, "list-mdev")).isEqualTo("mdev_" + UU + "_matrix\n\n");
        assertThat(ok(s, "list-mdev_types")).isEqualTo("ap_matrix\n\n");

        assertThat(ok(s, "xml-ap_card04")).contains(
                "<name>ap_card04</name>", "<path>/sys/devices/ap/card04</path>", "<parent>computer</parent>",
                "<driver>\n    <name>cex4card</name>", "<capability type='ap_card'>", "<ap-adapter>0x04</ap-adapter>");
        assertThat(ok(s, "xml-ap_card06")).contains("<ap-adapter>0x06</ap-adapter>");
        assertThat(ok(s, "xml-ap_05_0004")).contains(
                "<name>ap_05_0004</name>", "<path>/sys/devices/ap/card05/05.0004</path>", "<parent>ap_card05</parent>",
                "<name>vfio_ap</name>", "<capability type='ap_queue'>", "<ap-adapter>0x05</ap-adapter>",
                "<ap-domain>0x0004</ap-domain>");
        assertThat(ok(s, "xml-ap_04_0047")).contains("<parent>ap_card04</parent>", "<name>cex4queue</name>",
                "<ap-domain>0x0047</ap-domain>");
        assertThat(ok(s, "xml-ap_matrix")).contains(
                "<name>ap_matrix</name>", "<path>/sys/devices/vfio_ap/matrix</path>", "<parent>computer</parent>",
                "<name>vfio_ap</name>", "<capability type='ap_matrix'>", "<capability type='mdev_types'>",
                "<type id='vfio_ap-passthrough'>", "<name>VFIO AP Passthrough Device</name>",
                "<deviceAPI>vfio-ap</deviceAPI>", "<availableInstances>65535</availableInstances>");
        assertThat(ok(s, "xml-mdev_" + UU + "_matrix")).contains(
                "<path>/sys/devices/vfio_ap/matrix/" + U + "</path>", "<parent>ap_matrix</parent>",
                "<name>vfio_ap_mdev</name>", "<capability type='mdev'>", "<type id='vfio_ap-passthrough'/>",
                "<uuid>" + U + "</uuid>", "<parent_addr>matrix</parent_addr>", "<iommuGroup number='0'/>");
    }

    @Test
    void udevadmInfo(Path mnt) {
        ApsysfsShell.require("udevadm", "udev");
        String script = ApsysfsShell.STEP_PRELUDE + """
                step card udevadm info /sys/devices/ap/card04
                step queue-zcrypt udevadm info /sys/bus/ap/devices/04.0047
                step queue-vfio udevadm info /sys/devices/ap/card05/05.0004
                step matrix udevadm info /sys/devices/vfio_ap/matrix
                step mdev udevadm info /sys/bus/mdev/devices/%s
                step attrs udevadm info -a /sys/bus/mdev/devices/%s
                """.formatted(U, U);
        Result r = ApsysfsShell.bash(mnt, script, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());
        assertThat(ok(s, "card")).isEqualTo("""
                P: /devices/ap/card04
                M: card04
                R: 04
                U: ap
                T: ap_card
                V: cex4card
                E: DEVPATH=/devices/ap/card04
                E: SUBSYSTEM=ap
                E: DEVTYPE=ap_card
                E: DRIVER=cex4card
                E: DEV_TYPE=000E
                E: MODALIAS=ap:t0E
                E: MODE=cca

                """);
        assertThat(ok(s, "queue-zcrypt")).isEqualTo("""
                P: /devices/ap/card04/04.0047
                M: 04.0047
                R: 0047
                U: ap
                T: ap_queue
                V: cex4queue
                E: DEVPATH=/devices/ap/card04/04.0047
                E: SUBSYSTEM=ap
                E: DEVTYPE=ap_queue
                E: DRIVER=cex4queue
                E: MODE=cca

                """);
        assertThat(ok(s, "queue-vfio")).contains("T: ap_queue", "V: vfio_ap", "E: DRIVER=vfio_ap", "E: MODE=cca");
        assertThat(ok(s, "matrix")).isEqualTo("""
                P: /devices/vfio_ap/matrix
                M: matrix
                U: matrix
                V: vfio_ap
                E: DEVPATH=/devices/vfio_ap/matrix
                E: SUBSYSTEM=matrix
                E: DRIVER=vfio_ap

                """);
        assertThat(ok(s, "mdev")).contains("P: /devices/vfio_ap/matrix/" + U, "M: " + U, "U: mdev",
                "V: vfio_ap_mdev", "E: SUBSYSTEM=mdev", "E: DRIVER=vfio_ap_mdev");
        // the chain of parents, with their attributes, as udev rules would match them
        assertThat(ok(s, "attrs")).contains(
                "looking at device '/devices/vfio_ap/matrix/" + U + "'", "SUBSYSTEM==\"mdev\"",
                "DRIVER==\"vfio_ap_mdev\"", "ATTR{assign_adapter}==\"(not readable)\"",
                // udevadm leaves out values with newlines inside (matrix, guest_matrix)
                "ATTR{ap_config}==\"0x04" + "0".repeat(62) + ",0x08" + "0".repeat(14) + "01" + "0".repeat(46) + ",0x" + "0".repeat(64) + "\"",
                "looking at parent device '/devices/vfio_ap/matrix'", "SUBSYSTEMS==\"matrix\"",
                "ATTRS{features}==\"guest_matrix hotplug ap_config\"");
    }

    private static String ok(Map<String, Step> steps, String name) {
        Step st = steps.get(name);
        assertThat(st).as("step " + name + " ran; steps: " + steps.keySet()).isNotNull();
        assertThat(st.rc()).as("exit status of step " + name + ":\n" + st.output()).isZero();
        return st.output();
    }

    private static void write(Path mnt, String rel, String value) {
        assertThat(Sys.writeFile(mnt.resolve(rel), value).errno()).as("write " + value + " > " + rel).isZero();
    }
}
