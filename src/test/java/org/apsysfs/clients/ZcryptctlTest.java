package org.apsysfs.clients;

import static org.apsysfs.clients.ApsysfsShell.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apsysfs.clients.ApsysfsShell.Result;
import org.apsysfs.clients.ApsysfsShell.Step;
import org.apsysfs.testing.MountedSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IBM's zcryptctl (s390-tools 2.43.0, zconf/zcrypt/zcryptctl.c) run unmodified against the
 * tree: inside {@code scripts/apsysfs shell} (where the daemon's devtmpfs puts {@code /dev/NODE},
 * which zcryptctl checks with stat before every node command) and with {@code SYSFS_ROOT} on the
 * host. The expected lines are zcryptctl's own printf/errx formats applied to what
 * drivers/s390/crypto/zcrypt_api.c does for each write ({@code zcdn_create},
 * {@code zcdn_destroy}, the mask stores with {@code ap_parse_mask_str}).
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZcryptctlTest {
    static final String ZEROS60 = "0".repeat(60);

    static Map<String, Step> shell(Path mnt, String steps) {
        String script = ApsysfsShell.STEP_PRELUDE + "Z=" + S390Tools.bin("zcryptctl") + "\n" + steps;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return ApsysfsShell.steps(r.stdout());
    }

    @Test
    void nodeLifecycleInTheShell(Path mnt) {
        Map<String, Step> s = shell(mnt, """
                step list-none $Z list
                step z90crypt stat -c '%F %t:%T' /dev/z90crypt
                step create-auto $Z create
                step create-named $Z create kube1
                step create-dup $Z create kube1
                step devnode stat -c '%F %t:%T %a' /dev/kube1
                step addap $Z addap kube1 5
                step addap-hex $Z addap kube1 0x0b
                step adddom $Z adddom kube1 0x47
                step adddom4 $Z adddom kube1 4
                step addctrl $Z addctrl kube1 6
                step addioctl-sym $Z addioctl kube1 ZSECSENDCPRB
                step addioctl-num $Z addioctl kube1 5
                step apmask cat /sys/class/zcrypt/kube1/apmask
                step list-kube1 sh -c "$Z list | sed -n '/^zcrypt node name:.kube1$/,+6p'"
                step delioctl $Z delioctl kube1 ICARSAMODEXPO
                step delap $Z delap kube1 5
                step listconfig sh -c "$Z listconfig | sed -n '/^node = kube1$/,+4p'"
                step deldom-all $Z deldom kube1 ALL
                step aqmask cat /sys/class/zcrypt/kube1/aqmask
                step bad-adapter $Z addap kube1 zz
                step range-adapter $Z addap kube1 256
                step range-domain $Z adddom kube1 300
                step bad-ioctl $Z addioctl kube1 NOSUCHIOCTL
                step unknown-node $Z addap nosuch 5
                step missing-arg $Z addap kube1
                step destroy $Z destroy kube1
                step gone sh -c 'ls /dev/kube1 /sys/class/zcrypt/kube1 2>&1 | sed "s/^ls: //"'
                step destroy-again $Z destroy kube1
                step destroy-auto $Z destroy zcrypt_0
                step list-after $Z list
                """);
        step(s, "list-none", 0, "No additional zcrypt device nodes defined");
        // misc_register with a dynamic minor: 10:256 (st %t/%T are hex)
        step(s, "z90crypt", 0, "character special file a:100");
        // zcdn_create: an empty name takes zcrypt_<first free minor>; kube1 takes minor 1
        step(s, "create-auto", 0, "Device node created");
        step(s, "create-named", 0, "Device node created");
        // EEXIST makes fflush fail: zcryptctl's errx
        step(s, "create-dup", 1, "zcryptctl: Could not write into sysfs entry to create zdev node");
        // devtmpfs: a character node, 0600, major 254 (0xfe), minor 1
        step(s, "devnode", 0, "character special file fe:1 600");
        step(s, "addap", 0, "Adapter 5 added");
        step(s, "addap-hex", 0, "Adapter 11 added");
        step(s, "adddom", 0, "Domain 71 added");
        step(s, "adddom4", 0, "Domain 4 added");
        step(s, "addctrl", 0, "Control domain 6 added");
        step(s, "addioctl-sym", 0, "Ioctl ZSECSENDCPRB added");
        step(s, "addioctl-num", 0, "Ioctl 5 added");
        // "+5" and "+11": bits 5 and 11 counted from the left (ap_parse_mask_str, test_bit_inv)
        step(s, "apmask", 0, "0x0410" + ZEROS60);
        // ioctl 5 is ICARSAMODEXPO, 0x81 ZSECSENDCPRB: listed by bit number with their names
        step(s, "list-kube1", 0, """
                zcrypt node name:\tkube1
                  device node:\t/dev/kube1
                  major:minor:\t254:1
                  adapter:\t5,11
                  domains:\t4,71
                  control domains:\t6
                  ioctls:\tICARSAMODEXPO,ZSECSENDCPRB
                """);
        step(s, "delioctl", 0, "Ioctl ICARSAMODEXPO removed");
        step(s, "delap", 0, "Adapter 5 removed");
        step(s, "listconfig", 0, """
                node = kube1
                 aps = 11
                 doms = 4,71
                 ctrls = 6
                 ioctls = ZSECSENDCPRB
                """);
        step(s, "deldom-all", 0, "All domains removed");
        step(s, "aqmask", 0, "0x00" + ZEROS60 + "00");
        step(s, "bad-adapter", 1, "zcryptctl: Invalid adapter argument 'zz'");
        step(s, "range-adapter", 1, "zcryptctl: Adapter argument '256' out of range [0..255]");
        step(s, "range-domain", 1, "zcryptctl: Domain argument '300' out of range [0..255]");
        step(s, "bad-ioctl", 1, "zcryptctl: Invalid ioctl argument 'NOSUCHIOCTL'");
        step(s, "unknown-node", 1, "zcryptctl: Invalid or unknown nodename 'nosuch'");
        step(s, "missing-arg", 1, "zcryptctl: Missing adapter argument");
        step(s, "destroy", 0, "Device node 'kube1' marked for destruction");
        step(s, "gone", 0, """
                cannot access '/dev/kube1': No such file or directory
                cannot access '/sys/class/zcrypt/kube1': No such file or directory
                """);
        step(s, "destroy-again", 1, "zcryptctl: Invalid or unknown nodename 'kube1'");
        step(s, "destroy-auto", 0, "Device node 'zcrypt_0' marked for destruction");
        step(s, "list-after", 0, "No additional zcrypt device nodes defined");
    }

    @Test
    void configFile(Path mnt, @TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("zcrypt.conf");
        Files.writeString(conf, """
                # two nodes for two pods
                node = pod1
                aps = 4, 5   # comment
                doms = 0x47
                ctrls = 6
                ioctls = ZSECSENDCPRB,ICARSACRT
                node=pod2
                aps = ALL
                ioctls = 0x5f
                """);
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "aps = 4\n");
        Map<String, Step> s = shell(mnt, """
                step config $Z config %s
                step listconfig $Z listconfig
                step bad $Z config %s
                """.formatted(conf, bad));
        step(s, "config", 0, """
                Device node created
                Adapter 4 added
                Adapter 5 added
                Domain 71 added
                Control domain 6 added
                Ioctl ZSECSENDCPRB added
                Ioctl ICARSACRT added
                Device node created
                All adapters added
                Ioctl 0x5f added
                """);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            all.append(i == 0 ? " " : ",").append(i);
        }
        // listconfig lists nodes in readdir order of class/zcrypt: check each node's block
        String out = s.get("listconfig").output();
        assertThat(out).contains("""
                node = pod1
                 aps = 4,5
                 doms = 71
                 ctrls = 6
                 ioctls = ICARSACRT,ZSECSENDCPRB
                """, """
                node = pod2
                 aps =%s
                 doms =
                 ctrls =
                 ioctls = ZCRYPT_DEVICE_STATUS
                """.formatted(all));
        step(s, "bad", 1, "zcryptctl: Missing node=... before processing any aps=... statements in line 1 'aps = 4\n'");
    }

    @Test
    void sysfsRootOnTheHost(Path mnt) {
        // with SYSFS_ROOT the sysfs side works on the host; the node commands stat /dev/NODE,
        // which the host does not have: zcryptctl refuses them as unknown node names
        Map<String, String> env = Map.of("SYSFS_ROOT", mnt.toString());
        Result create = run(env, "create", "hostnode");
        assertThat(create.stdout()).as(create.describe()).isEqualTo("Device node created\n");
        Result list = run(env, "list");
        assertThat(list.exitCode()).as(list.describe()).isZero();
        assertThat(list.stdout()).isEqualTo("""
                zcrypt node name:\thostnode
                  device node:\t/dev/hostnode
                  major:minor:\t254:0
                  adapter:
                  domains:
                  control domains:
                  ioctls:
                """);
        Result addap = run(env, "addap", "hostnode", "5");
        assertThat(addap.exitCode()).isEqualTo(1);
        assertThat(addap.stderr()).isEqualTo("zcryptctl: Invalid or unknown nodename 'hostnode'\n");
        assertThat(Path.of("/dev/hostnode")).doesNotExist();
    }

    static Result run(Map<String, String> env, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(S390Tools.bin("zcryptctl")));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), out, err);
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
