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
 * IBM's lszdev and chzdev (s390-tools 2.43.0, zdev/src/ap.c) for the {@code ap} device type in
 * {@code scripts/apsysfs shell} (whose {@code /run/lock}, where zdev takes
 * {@code /run/lock/s390apconfig.lock}, is private).
 *
 * <p>Expected text: zdev reads {@code bus/ap/apmask} and {@code aqmask} and shows each as the
 * ranges of set bits ({@code ap_mask_to_setting}); after boot both are all ones
 * ({@code ap_perms_init}, drivers/s390/crypto/ap_bus.c, without {@code ap.apmask=}), so
 * {@code "0-255"}. chzdev builds a full 256-bit mask from an assignment ({@code N} or
 * {@code N-M}, starting from all zero) or a change list ({@code +N}/{@code -N} on the current
 * mask, {@code ap_validate_mask_input}), writes it as {@code 0x} plus 64 hex digits (bit 0 the
 * leftmost, as {@code ap_parse_mask_str} / {@code hex2bitmap} read it) and reports "ap device type
 * configured" after "Configuring device type in the active configuration only"; an entry that is not a number up to 255 is "Invalid input string" and exit
 * {@code EXIT_INVALID_SETTING} (6, zdev/include/exit_code.h) with nothing written. With
 * {@code -p} chzdev writes the masks only into the udev rule {@code 41-ap.rules}
 * ({@code ap_write_type_udev}, in the shell's private {@code /etc/udev/rules.d}), which lszdev
 * then shows as PERSISTENT; without {@code -a} or {@code -p} it changes both.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZdevApTest {

    /** chzdev's info line for {@code -a} and its success line for the type (chzdev.c). */
    private static final String CONFIGURED =
            "Configuring device type in the active configuration only\nap device type configured";

    /** A mask as the kernel shows it: {@code 0x}, {@code prefix}, then {@code fill} up to 64 hex digits. */
    private static String mask(String fill, String prefix) {
        return "0x" + prefix + fill.repeat(64).substring(prefix.length());
    }

    @Test
    void listsChangesAndRefuses(Path mnt) throws Exception {
        List<String> hostRulesBefore = MdevctlTest.listing(Path.of("/etc/udev/rules.d"));
        String script = ApsysfsShell.STEP_PRELUDE + "L=" + S390Tools.bin("lszdev") + "; C=" + S390Tools.bin("chzdev")
                + "\n" + """
                A=/sys/bus/ap
                step list-boot $L --type ap
                step assign sh -c "$C --type ap apmask=0-3,7 aqmask=-84 -a 2>/dev/null"
                step masks cat $A/apmask $A/aqmask
                step list-assigned $L --type ap
                step change sh -c "$C --type ap apmask=+10-11,-0 -a 2>/dev/null"
                step apmask-changed cat $A/apmask
                step too-big sh -c "$C --type ap apmask=256 -a 2>&1 >/dev/null"
                step not-a-number sh -c "$C --type ap aqmask=xyz -a 2>&1 >/dev/null"
                step mixed sh -c "$C --type ap apmask=1,+2 -a 2>&1 >/dev/null"
                step unchanged cat $A/apmask $A/aqmask
                step clear sh -c "$C --type ap apmask=0-255 aqmask=0-255 -a 2>/dev/null"
                step list-restored $L --type ap
                step persistent sh -c "$C --type ap apmask=0-3 aqmask=0-255 -p 2>/dev/null"
                step list-persistent $L --type ap
                step rule grep "bus/ap/a.mask" /etc/udev/rules.d/41-ap.rules
                step active-after-persistent cat $A/apmask
                step both $C --type ap apmask=0-4
                step both-values sh -c "cat $A/apmask; grep apmask /etc/udev/rules.d/41-ap.rules"
                """;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        String header = """
                DEVICE TYPE ap
                  Description        : Cryptographic Adjunct Processor (AP) device
                  Modules            : ap
                  Active             : yes
                  Persistent         : yes

                  ATTRIBUTE  ACTIVE   PERSISTENT
                """;
        step(s, "list-boot", 0, header + """
                  apmask     "0-255"  -
                  aqmask     "0-255"  -
                """);
        step(s, "assign", 0, CONFIGURED);
        // adapters 0-3 and 7: bits 0..3 and 7 of the first byte, MSB first; domain 84 is bit 4 of byte 10
        step(s, "masks", 0, mask("0", "f1") + "\n" + mask("f", "ffffffffffffffffffff" + "f7"));
        step(s, "list-assigned", 0, """
                DEVICE TYPE ap
                  Description        : Cryptographic Adjunct Processor (AP) device
                  Modules            : ap
                  Active             : yes
                  Persistent         : yes

                  ATTRIBUTE  ACTIVE         PERSISTENT
                  apmask     "0-3,7"        -
                  aqmask     "0-83,85-255"  -
                """);
        step(s, "change", 0, CONFIGURED);
        // 1-3, 7, 10, 11: 0111 0001 0011 0000
        step(s, "apmask-changed", 0, mask("0", "7130"));
        step(s, "too-big", 6, S390Tools.bin("chzdev") + ": Invalid input string 256\n"
                + "ap device type configure failed\n    Error: Invalid attribute value specified");
        step(s, "not-a-number", 6, S390Tools.bin("chzdev") + ": Invalid input string xyz\n"
                + "ap device type configure failed\n    Error: Invalid attribute value specified");
        // an assignment cannot carry a +/- entry (parse_mask_entry)
        step(s, "mixed", 6, S390Tools.bin("chzdev") + ": Invalid input string 1,+2\n"
                + "ap device type configure failed\n    Error: Invalid attribute value specified");
        step(s, "unchanged", 0, mask("0", "7130") + "\n" + mask("f", "ffffffffffffffffffff" + "f7"));
        step(s, "clear", 0, CONFIGURED);
        step(s, "list-restored", 0, header + """
                  apmask     "0-255"  -
                  aqmask     "0-255"  -
                """);
        // -p alone: the udev rule of ap_write_type_udev (41-ap.rules), the active masks untouched
        step(s, "persistent", 0, "Configuring device type in the persistent configuration only\n"
                + "ap device type configured");
        step(s, "list-persistent", 0, header + """
                  apmask     "0-255"  "0-3"
                  aqmask     "0-255"  "0-255"
                """);
        step(s, "rule", 0, "ATTR{../../bus/ap/apmask}=\"" + mask("0", "f") + "\"\n"
                + "ATTR{../../bus/ap/aqmask}=\"" + mask("f", "") + "\"");
        step(s, "active-after-persistent", 0, mask("f", ""));
        // neither -a nor -p: both configurations, no info line
        step(s, "both", 0, "ap device type configured");
        step(s, "both-values", 0, mask("0", "f8") + "\nATTR{../../bus/ap/apmask}=\"" + mask("0", "f8") + "\"");
        // the rule went to the shell's private copy of /etc/udev/rules.d
        assertThat(MdevctlTest.listing(Path.of("/etc/udev/rules.d"))).isEqualTo(hostRulesBefore);
    }
}
