package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's mdevctl (1.2.0, which hard-codes {@code /sys} and {@code /etc/mdevctl.d}) run
 * unmodified against the simulated tree through {@code scripts/apsysfs shell}: types, list,
 * define (options and {@code --jsonfile}), modify, start with attributes, a conflicting start
 * that fails with the kernel's EADDRINUSE and leaves nothing behind, stop, undefine.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MdevctlTest {
    static final String U = "0c7b6d3e-1a2b-4c5d-8e9f-000000000001";
    static final String V = "0c7b6d3e-1a2b-4c5d-8e9f-000000000002";
    static final String TYPE = "/sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough";

    @Test
    void wholeFlow(Path mnt, @TempDir Path tmp) throws Exception {
        ApsysfsShell.require("mdevctl", "mdevctl");
        List<String> hostConfigBefore = listing(Path.of("/etc/mdevctl.d"));
        Path json = tmp.resolve("v.json");
        // V wants queue 05.0004 too: it conflicts with U
        Files.writeString(json, """
                {"mdev_type": "vfio_ap-passthrough", "start": "manual",
                 "attrs": [{"assign_adapter": "5"}, {"assign_domain": "4"}, {"assign_control_domain": "4"}]}
                """);
        String script = ApsysfsShell.STEP_PRELUDE + """
                U=%s; V=%s; T=%s
                step free sh -c 'echo -5,-6 > /sys/bus/ap/apmask && cat /sys/bus/ap/apmask'
                step types mdevctl types
                step list-empty mdevctl list
                step define mdevctl define -u $U -p matrix -t vfio_ap-passthrough
                step attr-adapter mdevctl modify -u $U --addattr=assign_adapter --value=5
                step attr-domain mdevctl modify -u $U --addattr=assign_domain --value=4
                step attr-domain2 mdevctl modify -u $U --addattr=assign_domain --value=0x47
                step attr-control mdevctl modify -u $U --addattr=assign_control_domain --value=0x47
                step define-json mdevctl define -u $V -p matrix --jsonfile %s
                step defined mdevctl list --defined
                step dumpjson mdevctl list --defined --dumpjson -u $U
                step config-file cat /etc/mdevctl.d/matrix/$U
                step start mdevctl start -u $U
                step list mdevctl list
                step list-verbose mdevctl list -v -u $U
                step matrix cat /sys/bus/mdev/devices/$U/matrix
                step control cat /sys/bus/mdev/devices/$U/control_domains
                step queue-status cat /sys/devices/ap/card05/05.0004/status
                step instances cat $T/available_instances
                step start-conflict mdevctl start -u $V
                step after-conflict sh -c "ls /sys/devices/vfio_ap/matrix /sys/bus/mdev/devices; cat $T/available_instances"
                step dmesg sh -c "grep -F 'Userspace may not assign queue 05.0004 to mdev: already assigned to' /sys/kernel/debug/apsysfs/dmesg"
                step modify mdevctl modify -u $U --delattr --index=2
                step modified mdevctl list --defined --dumpjson -u $U
                step stop mdevctl stop -u $U
                step list-stopped mdevctl list
                step start-again mdevctl start -u $U
                step matrix-again cat /sys/bus/mdev/devices/$U/matrix
                step stop-again mdevctl stop -u $U
                step undefine sh -c "mdevctl undefine -u $U && mdevctl undefine -u $V"
                step defined-none mdevctl list --defined
                step give-back sh -c 'echo +5,+6 > /sys/bus/ap/apmask && cat /sys/bus/ap/apmask /sys/bus/ap/bindings'
                """.formatted(U, V, TYPE, json);
        Result r = ApsysfsShell.bash(mnt, script, Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        ok(s, "free", "0xf9ff");
        assertThat(ok(s, "types", "matrix")).contains("  vfio_ap-passthrough\n", "Available instances: 65536",
                "Device API: vfio-ap", "Name: VFIO AP Passthrough Device");
        assertThat(ok(s, "list-empty", "")).isBlank();
        ok(s, "define", "");
        ok(s, "attr-adapter", "");
        ok(s, "attr-domain", "");
        ok(s, "attr-domain2", "");
        ok(s, "attr-control", "");
        ok(s, "define-json", "");
        assertThat(ok(s, "defined", U)).contains(U + " matrix vfio_ap-passthrough manual",
                V + " matrix vfio_ap-passthrough manual");
        assertThat(ok(s, "dumpjson", "\"assign_adapter\": \"5\"")).containsSubsequence(
                "\"assign_adapter\": \"5\"", "\"assign_domain\": \"4\"", "\"assign_domain\": \"0x47\"",
                "\"assign_control_domain\": \"0x47\"");
        ok(s, "config-file", "\"mdev_type\": \"vfio_ap-passthrough\"");

        ok(s, "start", "");
        assertThat(ok(s, "list", U)).contains(U + " matrix vfio_ap-passthrough manual (defined)").doesNotContain(V);
        assertThat(ok(s, "list-verbose", "Attrs:")).contains("{\"assign_adapter\":\"5\"}", "{\"assign_domain\":\"0x47\"}");
        assertThat(ok(s, "matrix", "05.")).isEqualTo("05.0004\n05.0047\n");
        assertThat(ok(s, "control", "")).isEqualTo("0047\n");
        assertThat(ok(s, "queue-status", "")).isEqualTo("assigned\n");
        assertThat(ok(s, "instances", "")).isEqualTo("65535\n");

        Step conflict = s.get("start-conflict");
        assertThat(conflict.rc()).as(conflict.output()).isNotZero();
        assertThat(conflict.output()).contains("assign_domain").contains("Address already in use");
        String after = ok(s, "after-conflict", U);
        assertThat(after).doesNotContain(V).endsWith("65535\n");
        ok(s, "dmesg", "vfio_ap_mdev " + V + ": Userspace may not assign queue 05.0004 to mdev: already assigned to " + U);

        ok(s, "modify", "");
        // --delattr --index=2 removed the third attribute (assign_domain 0x47), kept the others
        assertThat(ok(s, "modified", "assign_adapter")).doesNotContain("\"assign_domain\": \"0x47\"")
                .contains("\"assign_domain\": \"4\"", "\"assign_control_domain\": \"0x47\"");
        ok(s, "stop", "");
        assertThat(ok(s, "list-stopped", "")).isBlank();
        ok(s, "start-again", "");
        assertThat(ok(s, "matrix-again", "")).isEqualTo("05.0004\n");
        ok(s, "stop-again", "");
        ok(s, "undefine", "");
        assertThat(ok(s, "defined-none", "")).isBlank();
        assertThat(ok(s, "give-back", "")).startsWith("0xffff").contains("16/16 (complete)");

        // nothing left in the tree, nothing changed on the host
        assertThat(Sys.readdir(mnt.resolve("bus/mdev/devices"))).containsOnly(".", "..");
        assertThat(Sys.read(mnt.resolve("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/available_instances")))
                .isEqualTo("65536\n");
        assertThat(listing(Path.of("/etc/mdevctl.d"))).isEqualTo(hostConfigBefore);
    }

    /** The step's output, asserting exit 0 and that it contains {@code expected}. */
    private static String ok(Map<String, Step> steps, String name, String expected) {
        Step st = steps.get(name);
        assertThat(st).as("step " + name + " ran; steps: " + steps.keySet()).isNotNull();
        assertThat(st.rc()).as("exit status of step " + name + ":\n" + st.output()).isZero();
        assertThat(st.output()).as("step " + name).contains(expected);
        return st.output();
    }

    static List<String> listing(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> w = Files.walk(dir)) {
            return w.map(Path::toString).sorted().toList();
        }
    }
}
