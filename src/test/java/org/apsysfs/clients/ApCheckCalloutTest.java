package org.apsysfs.clients;

import static org.apsysfs.clients.ApsysfsShell.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IBM's ap-check (s390-tools 2.43.0, ap_tools/ap-check.c) as the callout of Debian's mdevctl
 * 1.2.0, driven the way mdevctl drives it, in {@code scripts/apsysfs shell}.
 *
 * <p>mdevctl runs every program in its callout directories ({@code Environment::callout_dirs}
 * in mdevctl's src/environment.rs: the packaged {@code scripts.d/callouts} and the old
 * {@code /etc/mdevctl.d/scripts.d/callouts}) before and after each define/modify/start/stop with
 * the device's JSON on stdin; the ap-check binary is installed into the second one, which exists
 * only in the shell's private copy of {@code /etc/mdevctl.d} (the host's is compared before and
 * after). A callout's non-zero exit other than 2 ({@code APC_EXIT_UNKNOWN_TYPE}) stops the action:
 * mdevctl prints the callout's stderr after {@code "<script name>: "} ({@code print_err}) and fails
 * with {@code callout script "<path>" failed with return code <n>} (src/callouts.rs); ap-check
 * returns -1, i.e. exit status 255.
 *
 * <p>What ap-check refuses: before a start ({@code ap_check_active}) an APQN already in another
 * active vfio_ap mdev (its {@code matrix} in sysfs), an APQN whose adapter and domain are both
 * still host-owned by {@code bus/ap/apmask} and {@code aqmask} ({@code check_sysfs_mask_conflicts}),
 * control domains without usage domains; before an autostart define ({@code ap_check_changes}) an
 * APQN already defined for autostart or still host-owned by the masks of chzdev's persistent
 * udev rule ({@code check_cfg_mask_conflicts}). Messages from {@code conflict_error}, APQNs in decimal.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ApCheckCalloutTest {
    static final String U = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a1";
    static final String V = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a2";
    static final String W = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a3";
    static final String X = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a4";
    static final String Y = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a5";
    static final String Z = "0c7b6d3e-1a2b-4c5d-8e9f-0000000000a6";
    static final String CALLOUT = "/etc/mdevctl.d/scripts.d/callouts/ap-check";

    @Test
    void acceptsAndRefuses(Path mnt) throws Exception {
        ApsysfsShell.require("mdevctl", "mdevctl");
        List<String> hostConfigBefore = MdevctlTest.listing(Path.of("/etc/mdevctl.d"));
        String script = ApsysfsShell.STEP_PRELUDE + "AC=" + S390Tools.bin("ap-check") + " CZ=" + S390Tools.bin("chzdev") + "\n"
                + "U=" + U + " V=" + V + " W=" + W + " X=" + X + " Y=" + Y + " Z=" + Z + "\n" + """
                M=/sys/devices/vfio_ap/matrix
                J=$(mktemp); trap 'rm -f "$J"' EXIT
                j() { printf '{"mdev_type":"vfio_ap-passthrough","start":"%s","attrs":[%s]}' "$1" "$2" > "$J"; }
                a() { printf '{"assign_adapter":"%s"},{"assign_domain":"%s"}' "$1" "$2"; }
                mkdir -p /etc/mdevctl.d/scripts.d/callouts && cp "$AC" /etc/mdevctl.d/scripts.d/callouts/ap-check
                step free sh -c 'echo -5,-6 > /sys/bus/ap/apmask'
                step define mdevctl define -u $U -p matrix -t vfio_ap-passthrough
                step modify sh -c "mdevctl modify -u $U --addattr=assign_adapter --value=5 && mdevctl modify -u $U --addattr=assign_domain --value=4"
                step start mdevctl start -u $U
                step matrix cat $M/$U/matrix
                j manual "$(a 5 0x47)"; step define-second mdevctl define -u $V -p matrix --jsonfile $J
                step start-second mdevctl start -u $V
                j manual "$(a 5 4)"; step define-overlap mdevctl define -u $W -p matrix --jsonfile $J
                step start-overlap mdevctl start -u $W
                j manual "$(a 4 4)"; step define-host mdevctl define -u $X -p matrix --jsonfile $J
                step start-host mdevctl start -u $X
                j manual '{"assign_adapter":"6"},{"assign_control_domain":"4"}'
                step define-control-only mdevctl define -u $Y -p matrix --jsonfile $J
                step start-control-only mdevctl start -u $Y
                step active ls /sys/bus/mdev/devices
                step undefine sh -c "mdevctl undefine -u $W && mdevctl undefine -u $X && mdevctl undefine -u $Y"
                j auto "$(a 6 0x54)"; step define-auto mdevctl define -u $W -p matrix --jsonfile $J
                step define-auto-overlap mdevctl define -u $Z -p matrix --jsonfile $J
                step persistent-masks sh -c "$CZ --type ap apmask=0-3,7 aqmask=0-255 -p >/dev/null"
                j auto "$(a 7 5)"; step define-auto-persistent-host mdevctl define -u $Z -p matrix --jsonfile $J
                step defined mdevctl list --defined
                step stop sh -c "mdevctl stop -u $U && mdevctl stop -u $V"
                step give-back sh -c 'echo +5,+6 > /sys/bus/ap/apmask && cat /sys/bus/ap/apmask'
                """;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(150));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());
        String failed = "Error: callout script \"" + CALLOUT + "\" failed with return code 255";

        step(s, "free", 0, "");
        step(s, "define", 0, "");
        step(s, "modify", 0, "");
        step(s, "start", 0, "");
        step(s, "matrix", 0, "05.0004");
        // 05.0047 overlaps nothing: adapter 5 is no longer in apmask
        step(s, "define-second", 0, "");
        step(s, "start-second", 0, "");
        step(s, "define-overlap", 0, "");
        step(s, "start-overlap", 1, "ap-check: APQN 5.4 already in use by " + U + "\n" + failed);
        step(s, "define-host", 0, "");
        // adapter 4 and domain 4 are both still in the masks: the host's zcrypt owns 04.0004
        step(s, "start-host", 1, "ap-check: APQN 4.4 is not allowed for vfio_ap-passthrough use by the active ap"
                + " bus mask settings\n" + failed);
        step(s, "define-control-only", 0, "");
        step(s, "start-control-only", 1, "ap-check: At least one usage domain must be specified\n" + failed);
        // the refused starts made no mdev
        step(s, "active", 0, U + "\n" + V);
        step(s, "undefine", 0, "");
        step(s, "define-auto", 0, "");
        step(s, "define-auto-overlap", 1, "ap-check: APQN 6.84 is defined for autostart by " + W + "\n" + failed);
        // the udev rule of chzdev -p keeps adapters 0-3 and 7 with every domain for the host after
        // boot (chzdev itself would refuse to take adapter 6 of the autostart W)
        step(s, "persistent-masks", 0, "");
        step(s, "define-auto-persistent-host", 1, "ap-check: APQN 7.5 is not defined for vfio_ap-passthrough use by"
                + " the persistent ap bus mask settings\n" + failed);
        // Z was refused: only W is defined for autostart; the started ones are marked active
        step(s, "defined", 0, U + " matrix vfio_ap-passthrough manual (active)\n"
                + V + " matrix vfio_ap-passthrough manual (active)\n"
                + W + " matrix vfio_ap-passthrough auto");
        step(s, "stop", 0, "");
        step(s, "give-back", 0, "0x" + "f".repeat(64));
        assertThat(MdevctlTest.listing(Path.of("/etc/mdevctl.d"))).isEqualTo(hostConfigBefore);
    }
}
