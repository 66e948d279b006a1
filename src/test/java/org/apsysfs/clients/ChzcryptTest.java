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
 * IBM's chzcrypt (s390-tools 2.43.0, zconf/zcrypt/chzcrypt.c) in {@code scripts/apsysfs shell}:
 * every change is a write to one file and a read back that must match, so the expected messages
 * follow from chzcrypt's printf/warnx/errx formats and what the kernel store does with the
 * value: {@code online_store} (zcrypt_card.c, zcrypt_queue.c: a queue cannot go online while its
 * card is offline), {@code config_store} (ap_card.c), {@code config_time_store} (5..120 s),
 * {@code poll_timeout_store} (at most 120 s in ns), {@code poll_thread_store} (starting is a
 * no-op while adapter interrupts are used: the read back stays 0) and {@code ap_domain_store}
 * (ap_bus.c: any domain in {@code ap_perms.aqm} up to {@code ap_max_domain_id}).
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChzcryptTest {

    @Test
    void changesAndRefusals(Path mnt) {
        String script = ApsysfsShell.STEP_PRELUDE + "C=" + S390Tools.bin("chzcrypt") + "\n" + """
                A=/sys/bus/ap
                O() { cat "$@" | tr -d '\\n'; }
                step disable-card $C -V -d 05
                step card-online O $A/devices/card05/online $A/devices/card05/05.0004/online
                step enable-card $C -e card05
                step disable-queue $C -V -d 05.0005
                step queue-online O $A/devices/card05/05.0005/online $A/devices/card05/05.0004/online
                step disable-all $C -d -a
                step all-offline O $A/devices/card04/online $A/devices/card05/online $A/devices/card06/online $A/devices/card0b/online
                step queue-of-offline-card $C -e 06.0004
                step enable-all $C -e -a
                step all-online O $A/devices/card04/online $A/devices/card05/online $A/devices/card06/online $A/devices/card0b/online
                step config-off $C -V --config-off 0x0b
                step config-value cat $A/devices/card0b/config
                step config-off-again $C --config-off 0b
                step enable-deconfigured $C -e 0b
                step config-on $C --config-on 0b
                step config-queue $C --config-on 05.0004
                step no-such-card $C -e 99
                step malformed $C -e xyz
                step no-ids $C -e
                step config-time $C -V -c 60
                step config-time-value cat $A/config_time
                step config-time-range $C -c 200
                step config-time-bad $C -c abc
                step poll-timeout $C -t 500000
                step poll-timeout-value cat $A/poll_timeout
                step poll-timeout-range $C -t 200000000000
                step poll-thread-on $C -p
                step poll-thread-off $C -V -n
                step domain $C -q 5
                step domain-value cat $A/ap_domain
                step domain-control-only $C -q 6
                step domain-range $C -q 85
                """;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        step(s, "disable-card", 0, "Setting cryptographic device card05 offline");
        // the card's online_store takes its queues offline with it
        step(s, "card-online", 0, "00");
        step(s, "enable-card", 0, "");
        step(s, "disable-queue", 0, "Setting cryptographic device card05/05.0005 offline");
        step(s, "queue-online", 0, "01");
        step(s, "disable-all", 0, "");
        step(s, "all-offline", 0, "0000");
        step(s, "queue-of-offline-card", 1, "chzcrypt: Error - unable to set cryptographic device card06/06.0004 online.");
        step(s, "enable-all", 0, "");
        step(s, "all-online", 0, "1111");
        step(s, "config-off", 0, "Setting cryptographic device card0b config off");
        step(s, "config-value", 0, "0");
        step(s, "config-off-again", 0, "chzcrypt: Warning - device card0b is already config off.");
        step(s, "enable-deconfigured", 0, "chzcrypt: Warning - device 0b is deconfigured, can't set to online.");
        step(s, "config-on", 0, "");
        step(s, "config-queue", 1, "chzcrypt: Error - invalid device 05.0004\n Config on/off is only valid for card devices.");
        step(s, "no-such-card", 1, "chzcrypt: Error - cryptographic device card99 does not exist.");
        step(s, "malformed", 1, "chzcrypt: Error - cryptographic device xyz malformed.");
        // dev_list_argv refuses an empty list before the device loop
        step(s, "no-ids", 1, "chzcrypt: Need to specify at least one device ID.");
        step(s, "config-time", 0, "Setting configuration timer to 60 seconds.");
        step(s, "config-time-value", 0, "60");
        step(s, "config-time-range", 1, "chzcrypt: Error - unable to change configuration timer setting.");
        step(s, "config-time-bad", 1, "chzcrypt: Error - invalid configuration timeout 'abc'.");
        step(s, "poll-timeout", 0, "");
        step(s, "poll-timeout-value", 0, "500000");
        step(s, "poll-timeout-range", 1, "chzcrypt: Error - unable to change poll timeout setting.");
        step(s, "poll-thread-on", 1, "chzcrypt: Error - unable to change poll thread setting.");
        step(s, "poll-thread-off", 0, "Disabling poll thread.");
        step(s, "domain", 0, "");
        step(s, "domain-value", 0, "5");
        // 6 is a control domain only: accepted (it is in ap_perms.aqm), then chzcrypt warns
        // because it is not in ap_usage_domain_mask
        step(s, "domain-control-only", 0, "Warning: Default domain 0x06 is not available.");
        step(s, "domain-range", 1, "chzcrypt: Error - invalid default domain '85'.");
    }
}
