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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IBM's lszcrypt (s390-tools 2.43.0, zconf/zcrypt/lszcrypt.c) in {@code scripts/apsysfs shell}
 * on the default machine in several states, one shell for all of them. Every expected row is
 * built with lszcrypt's record layout ({@code define_rec_default}/{@code define_rec_verbose}:
 * CARD.DOM 8, TYPE 5, MODE 11, STATUS 10, REQUESTS 8 right, PENDING 8 right, HWTYPE 6 right,
 * QDEPTH 6 right, FUNCTIONS 10, DRIVER 11; columns one blank apart) and its rules
 * ({@code read_rec_default}: "deconfig" when config is 0, else "chkstop", "online", "offline";
 * a queue without {@code online}, i.e. one bound to vfio_ap, shows its {@code status} file in
 * verbose mode and is skipped otherwise) from the machine's definition: adapters 04, 05 CEX8C
 * (CCA, functions 0x92000000), 06 CEX8A (0xea000000), 0b CEX8P (EP11, 0x86000000), hardware
 * type 14 (CEX8), queue depth field 7 ({@code depth_show}: qd + 1), domains 4, 5, 0x47, 0x54.
 */
@MountedSysfs(perTest = true)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LszcryptStatesTest {
    static final String U = "3f6a7c1e-5b2d-4e8f-9a10-2b3c4d5e6f70";
    static final List<String> DOMS = List.of("0004", "0005", "0047", "0054");
    static final Map<String, String[]> CARDS = Map.of(
            "04", new String[] {"CEX8C", "CCA-Coproc", "S--D--N---"},
            "05", new String[] {"CEX8C", "CCA-Coproc", "S--D--N---"},
            "06", new String[] {"CEX8A", "Accelerator", "SMC-A-N---"},
            "0b", new String[] {"CEX8P", "EP11-Coproc", "S----XN---"});

    static String plain(String id, String card, String status, String requests) {
        String[] c = CARDS.get(card);
        return String.format("%-8s %-5s %-11s %-10s %8s", id, c[0], c[1], status, requests);
    }

    static String verbose(String id, String card, String status, String requests, String pending, String driver) {
        String[] c = CARDS.get(card);
        return plain(id, card, status, requests) + String.format(" %8s %6s %6s %-10s %-11s", pending, "14", "08", c[2], driver);
    }

    static final String HDR = String.format("%-8s %-5s %-11s %-10s %8s", "CARD.DOM", "TYPE", "MODE", "STATUS", "REQUESTS")
            + "\n" + "-".repeat(46) + "\n";
    static final String VHDR = String.format("%-8s %-5s %-11s %-10s %8s %8s %6s %6s %-10s %-11s", "CARD.DOM", "TYPE", "MODE",
            "STATUS", "REQUESTS", "PENDING", "HWTYPE", "QDEPTH", "FUNCTIONS", "DRIVER") + "\n" + "-".repeat(92) + "\n";

    static String lines(List<String> rows) {
        StringBuilder sb = new StringBuilder();
        rows.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

    static void step(Map<String, Step> s, String name, String output) {
        Step st = s.get(name);
        assertThat(st).as("step " + name).isNotNull();
        assertThat(st.output().replaceFirst("\n$", "")).as("output of " + name).isEqualTo(output.replaceFirst("\n$", ""));
        assertThat(st.rc()).as("exit status of " + name).isZero();
    }

    @Test
    void statesOfCardsAndQueues(Path mnt) {
        String script = ApsysfsShell.STEP_PRELUDE + "L=" + S390Tools.bin("lszcrypt") + "\nU=" + U + "\n" + """
                D=/sys/kernel/debug/apsysfs
                step plain $L
                step card $L 05
                step apqn $L 05.0047
                step domain $L .0047
                step verbose $L -V 04
                step bus $L -b
                step domains $L -d
                step serial $L --serial
                echo 0 > /sys/devices/ap/card05/05.0005/online
                echo 0 > /sys/devices/ap/card06/online
                echo 0 > /sys/devices/ap/card0b/config
                echo '0x04 1' > $D/host/checkstop
                step states $L
                step serial-states $L -s
                echo '0x04 0' > $D/host/checkstop
                echo 1 > /sys/devices/ap/card0b/config
                echo -5 > /sys/bus/ap/apmask
                step vfio-plain $L 05
                step vfio-unassigned $L -V 05
                echo $U > /sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
                echo 5 > /sys/devices/vfio_ap/matrix/$U/assign_adapter
                echo 4 > /sys/devices/vfio_ap/matrix/$U/assign_domain
                step vfio-assigned $L -V 05
                echo g1 > $D/guests/create
                echo $U > $D/guests/g1/attach
                step vfio-in-use $L -V 05.0004 05.0005
                step bad-id $L 1000
                """;
        Result r = ApsysfsShell.run(List.of("--no-udevd", mnt.toString(), "--", "bash", "-c", script), Map.of(), null,
                Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Map<String, Step> s = ApsysfsShell.steps(r.stdout());

        List<String> all = new ArrayList<>();
        for (String c : List.of("04", "05", "06", "0b")) {
            all.add(plain(c, c, "online", "0"));
            for (String d : DOMS) {
                all.add(plain(c + "." + d, c, "online", "0"));
            }
        }
        // ap_select_domain takes the lowest of the domains with the most queues (0x0004): no warning
        step(s, "plain", HDR + lines(all));
        step(s, "card", HDR + lines(all.subList(5, 10)));
        step(s, "apqn", HDR + plain("05.0047", "05", "online", "0") + "\n");
        step(s, "domain", HDR + lines(List.of(plain("04.0047", "04", "online", "0"), plain("05.0047", "05", "online", "0"),
                plain("06.0047", "06", "online", "0"), plain("0b.0047", "0b", "online", "0"))));
        List<String> v = new ArrayList<>(List.of(verbose("04", "04", "online", "0", "0", "cex4card")));
        for (String d : DOMS) {
            v.add(verbose("04." + d, "04", "online", "0", "0", "cex4queue"));
        }
        step(s, "verbose", VHDR + lines(v));
        // show_bus: features, ap_domain (in the usage mask), max domain 84, interrupts,
        // config_time 30 s and poll_timeout 250000 ns (ap_bus.c defaults), no poll thread
        step(s, "bus", """
                features: APSC APXA QACT RC8A
                ap_domain=0x04
                ap_max_domain_id=0x54
                ap_interrupts are enabled
                config_time=30 (seconds)
                poll_thread is disabled
                poll_timeout=250000 (nanoseconds)
                """);
        step(s, "domains", domainTable());
        // serial numbers of CCA and EP11 cards only, cut to 8 characters (the machine's
        // serials: SIMC<id>, SIMP<12 digits id>)
        String shdr = String.format("%-8s %-5s %-11s %-10s %-8s", "CARD.DOM", "TYPE", "MODE", "STATUS", "SERIALNR") + "\n"
                + "-".repeat(46) + "\n";
        step(s, "serial", shdr + lines(List.of(serial("04", "online", "SIMC0004"), serial("05", "online", "SIMC0005"),
                serial("0b", "online", "SIMP0000"))));
        // offline queue, offline card, deconfigured card (queues too, no request count),
        // check-stopped card (its queues report chkstop as well)
        List<String> st = new ArrayList<>();
        st.add(plain("04", "04", "chkstop", "0"));
        for (String d : DOMS) {
            st.add(plain("04." + d, "04", "chkstop", "0"));
        }
        st.add(plain("05", "05", "online", "0"));
        for (String d : DOMS) {
            st.add(plain("05." + d, "05", d.equals("0005") ? "offline" : "online", "0"));
        }
        st.add(plain("06", "06", "offline", "0"));
        for (String d : DOMS) {
            st.add(plain("06." + d, "06", "offline", "0"));
        }
        st.add(plain("0b", "0b", "deconfig", "-"));
        for (String d : DOMS) {
            st.add(plain("0b." + d, "0b", "deconfig", "-"));
        }
        step(s, "states", HDR + lines(st));
        // a check-stopped or deconfigured card answers no query CPRB: cca_serialnr_show and
        // ep11_card_serialnr_show (zcrypt_cex4.c) show an empty line, which libutil's
        // util_file_read_line reports as a failure: lszcrypt prints "-"
        step(s, "serial-states", shdr + lines(List.of(serial("04", "chkstop", "-"), serial("05", "online", "SIMC0005"),
                serial("0b", "deconfig", "-"))));
        // queues of adapter 5 bound to vfio_ap: no online file, so plain lszcrypt skips them
        step(s, "vfio-plain", HDR + plain("05", "05", "online", "0") + "\n");
        List<String> un = new ArrayList<>(List.of(verbose("05", "05", "online", "0", "0", "cex4card")));
        List<String> as = new ArrayList<>(un);
        for (String d : DOMS) {
            // request_count_show (ap_queue.c) prints "-" while the queue's dev_state is
            // AP_DEV_STATE_UNINITIATED: vfio_ap never initialises a host queue state
            un.add(verbose("05." + d, "05", "unassigned", "-", "-", "vfio_ap"));
            as.add(verbose("05." + d, "05", d.equals("0004") ? "assigned" : "unassigned", "-", "-", "vfio_ap"));
        }
        step(s, "vfio-unassigned", VHDR + lines(un));
        step(s, "vfio-assigned", VHDR + lines(as));
        step(s, "vfio-in-use", VHDR + lines(List.of(verbose("05.0004", "05", "in use", "-", "-", "vfio_ap"),
                verbose("05.0005", "05", "unassigned", "-", "-", "vfio_ap"))));
        Step bad = s.get("bad-id");
        // stdout (a pipe: fully buffered) and stderr are merged, so only their contents are compared
        assertThat(bad.output().replace(HDR, "")).isEqualTo("lszcrypt: Error - cryptographic device card1000 does not exist.\n");
        assertThat(bad.output()).contains(HDR);
        assertThat(bad.rc()).isEqualTo(1);
    }

    static String serial(String card, String status, String serial) {
        String[] c = CARDS.get(card);
        return String.format("%-8s %-5s %-11s %-10s %-8s", card, c[0], c[1], status, serial);
    }

    /** show_domains: 16 rows of 16, "B" for domains in both masks, "C" control only, "U" usage only. */
    static String domainTable() {
        List<Integer> usage = List.of(0x04, 0x05, 0x47, 0x54);
        List<Integer> control = List.of(0x04, 0x05, 0x06, 0x47, 0x54);
        StringBuilder sb = new StringBuilder(String.format("%6s", "DOMAIN"));
        for (int i = 0; i < 16; i++) {
            sb.append(String.format(" %02x", i));
        }
        sb.append('\n').append("-".repeat(6 + 16 * 3)).append('\n');
        for (int row = 0; row < 16; row++) {
            sb.append(String.format("%6s", String.format("%02x", row * 16)));
            for (int x = 0; x < 16; x++) {
                int d = row * 16 + x;
                String m = usage.contains(d) && control.contains(d) ? "B" : control.contains(d) ? "C" : usage.contains(d) ? "U" : ".";
                sb.append(String.format(" %2s", m));
            }
            sb.append('\n');
        }
        sb.append("------------------------------------------------------\n");
        sb.append("C: Control domain\nU: Usage domain\nB: Both (Control + Usage domain)\n");
        return sb.toString();
    }
}
