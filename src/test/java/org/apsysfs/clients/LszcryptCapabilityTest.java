package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IBM's {@code lszcrypt -c} (s390-tools 2.43.0, zconf/zcrypt/lszcrypt.c {@code show_capability})
 * in {@code scripts/apsysfs shell} on the default machine, by card and by APQN. The expected
 * text follows {@code show_card_capability}: hardware type 14 (CEX8) with the card's
 * {@code ap_functions} (CCA 0x92000000: COPRO bit, no class or HSL bit; accelerator 0xea000000:
 * ACCEL with both 4K bits; EP11 0x86000000) and the "AP bus max message size" line from
 * {@code max_msg_size} (ap_card.c {@code max_msg_size_show}: the TAPQ ml field is 0 on the
 * default machine, so ap_bus.c uses {@code AP_DEFAULT_MAX_MSG_SIZE}, 12 KiB).
 * {@code show_queue_capability} prints the "CUR" lines of the queue's {@code mkvps} file with
 * "MK " in front; no SE lines (se_bind and se_associate exist only in a secure-execution guest:
 * ap_queue.c {@code ap_queue_dev_sb_attr_group} is added only when {@code ap_sb_available()}
 * and {@code is_prot_virt_guest()}).
 */
@MountedSysfs
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LszcryptCapabilityTest {
    @Test
    void capabilityByCardAndByApqn(Path mnt) {
        String script = ApsysfsShell.STEP_PRELUDE + "L=" + S390Tools.bin("lszcrypt") + "\n" + """
                step cca $L -c 4
                step cca-hex $L -c 0x05
                step accel $L -c 6
                step ep11 $L -c 0x0b
                step queue-cca $L -c 04.0047
                step queue-accel $L -c 06.0004
                step mkvps cat /sys/devices/ap/card04/04.0047/mkvps
                step no-card $L -c 7
                step no-queue $L -c 04.0006
                step bad-id $L -c 256
                step bad-word $L -c card04
                """;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(90));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        String mms = "AP bus max message size limit 12 Kb\n";
        String cca = "RSA 4K Clear Key\nCCA Secure Key\nLong RNG\n" + mms;
        ApsysfsShell.step(s, "cca", 0, "card04 provides capability for:\n" + cca);
        ApsysfsShell.step(s, "cca-hex", 0, "card05 provides capability for:\n" + cca);
        ApsysfsShell.step(s, "accel", 0, "card06 provides capability for:\nRSA 4K Clear Key\n" + mms);
        ApsysfsShell.step(s, "ep11", 0, "card0b provides capability for:\nEP11 Secure Key\n" + mms);

        // the tool's filter applied to the queue's mkvps file (whose patterns the machine derives)
        String mkvps = s.get("mkvps").output();
        assertThat(mkvps).contains("AES CUR: valid 0x", "APKA CUR: valid 0x", "ASYM CUR: valid 0x");
        String mk = mkvps.lines().filter(l -> l.contains("WK CUR") || l.contains("AES CUR") || l.contains("APKA CUR")
                || l.contains("ASYM CUR")).map(l -> "MK " + l + "\n").collect(Collectors.joining());
        ApsysfsShell.step(s, "queue-cca", 0, "queue 04.0047 capabilities:\n" + mk);
        // an accelerator queue has no mkvps file (cex4queue: only CCA and EP11 queues get one)
        ApsysfsShell.step(s, "queue-accel", 0, "queue 06.0004 capabilities:\n");

        ApsysfsShell.step(s, "no-card", 1, "lszcrypt: Error - cryptographic device card07 does not exist.\n");
        ApsysfsShell.step(s, "no-queue", 1, "lszcrypt: Error - cryptographic queue device 04.0006 does not exist.\n");
        ApsysfsShell.step(s, "bad-id", 1, "lszcrypt: Error - '256' is an invalid cryptographic device id.\n");
        ApsysfsShell.step(s, "bad-word", 1, "lszcrypt: Error - 'card04' is an invalid cryptographic device id.\n");
    }
}
