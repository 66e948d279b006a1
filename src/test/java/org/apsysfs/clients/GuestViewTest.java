package org.apsysfs.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apsysfs.testing.SysfsMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host's tree and a guest's view, both mounted from one daemon: vfio_ap on the host side,
 * the real lszcrypt and chzcrypt (s390-tools, with {@code SYSFS_ROOT} at the guest view) on the
 * guest side. What the guest lists follows the host's guest_matrix (vfio_ap_mdev_filter_matrix,
 * vfio_ap_mdev_update_guest_apcb, then ap_bus_cfg_chg in the guest); in a Secure Execution guest
 * chzcrypt --se-bind/--se-associate go through ap_queue.c's se_bind_store/se_associate_store.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuestViewTest {
    static final String U = "8a0b3f5c-2d4e-4f60-9a7b-1c2d3e4f5a6b";
    static final String M = "devices/vfio_ap/matrix/" + U;

    SysfsMount host;
    SysfsMount guest;

    @BeforeEach
    void mount() {
        host = SysfsMount.mountDefault();
        guest = SysfsMount.mountGuestView(host, "g1");
    }

    @AfterEach
    void unmount() {
        if (guest != null) {
            guest.close();
        }
        if (host != null) {
            host.close();
        }
    }

    void echo(String value, String file) throws IOException {
        Files.writeString(host.resolve(file), value + "\n", StandardCharsets.ISO_8859_1);
    }

    String hostRead(String file) throws IOException {
        return Files.readString(host.resolve(file), StandardCharsets.ISO_8859_1);
    }

    /** An mdev with adapters 04, 05 (or the given ones) and domains 0004, 0047, 0054, opened by guest NAME. */
    void seedExample(String guestOptions, String... adapters) throws IOException {
        for (String a : adapters) {
            echo("-" + a, "bus/ap/apmask");
        }
        echo(U, "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create");
        for (String a : adapters) {
            echo(a, M + "/assign_adapter");
        }
        for (String d : new String[] {"4", "0x47", "0x54"}) {
            echo(d, M + "/assign_domain");
        }
        echo("g1" + guestOptions, "kernel/debug/apsysfs/guests/create");
        echo(U, "kernel/debug/apsysfs/guests/g1/attach");
    }

    /** A real s390-tools program with the guest view as its sysfs. */
    static Run tool(Path sysfs, String program, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(S390Tools.bin(program)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SYSFS_ROOT", sysfs.toString());
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " timed out");
        }
        return new Run(p.exitValue(), out);
    }

    record Run(int rc, String out) {
    }

    /** The CARD.DOM column of lszcrypt's queue lines. */
    static TreeSet<String> queuesListed(String lszcrypt) {
        TreeSet<String> q = new TreeSet<>();
        for (String line : lszcrypt.split("\n")) {
            String first = line.split(" ", 2)[0];
            if (first.matches("\\p{XDigit}{2}\\.\\p{XDigit}{4}")) {
                q.add(first);
            }
        }
        return q;
    }

    static TreeSet<String> lines(String s) {
        return new TreeSet<>(s.isEmpty() ? List.of() : List.of(s.split("\n")));
    }

    @Test
    void beforeTheGuestExistsTheViewIsEmpty() throws IOException {
        try (var s = Files.list(guest.path())) {
            assertThat(s).isEmpty();
        }
        echo("g1", "kernel/debug/apsysfs/guests/create");
        assertThat(Files.isDirectory(guest.resolve("bus/ap/devices"))).isTrue();
        try (var s = Files.list(guest.resolve("bus/ap/devices"))) {
            assertThat(s).isEmpty();
        }
        assertThat(Files.readString(guest.resolve("firmware/uv/prot_virt_guest"))).isEqualTo("0\n");
    }

    @Test
    void lszcryptInTheGuestListsExactlyTheGuestMatrixAndFollowsAHostUnbind() throws Exception {
        seedExample("", "4", "5");
        Run r = tool(guest.path(), "lszcrypt", "-V");
        assertThat(r.rc()).as(r.out()).isZero();
        assertThat(queuesListed(r.out())).isEqualTo(lines(hostRead(M + "/guest_matrix"))).hasSize(6);
        assertThat(r.out()).contains("cex4queue");

        // 05.0054 leaves vfio_ap: adapter 05 is filtered out of the guest, which rescans
        echo("05.0054", "bus/ap/drivers/vfio_ap/unbind");
        r = tool(guest.path(), "lszcrypt", "-V");
        assertThat(queuesListed(r.out())).isEqualTo(lines(hostRead(M + "/guest_matrix")))
                .containsExactly("04.0004", "04.0047", "04.0054");
        assertThat(Files.exists(guest.resolve("devices/ap/card05"))).isFalse();
        assertThat(Files.readString(guest.resolve("kernel/debug/apsysfs/uevents")))
                .contains("remove /devices/ap/card05 (ap)");

        // 04.0004 too: the guest has no crypto left
        echo("04.0004", "bus/ap/drivers/vfio_ap/unbind");
        // no adapter left in guest_matrix (vfio_ap_mdev_matrix_show lists the domains alone)
        assertThat(hostRead(M + "/guest_matrix")).doesNotContainPattern("(?m)^\\p{XDigit}");
        try (var s = Files.list(guest.resolve("bus/ap/devices"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void chzcryptBindsThenAssociatesInAProtectedGuest() throws Exception {
        seedExample(" protected", "6", "0xb");
        Path g = guest.path();
        assertThat(Files.readString(guest.resolve("firmware/uv/prot_virt_guest"))).isEqualTo("1\n");
        Run r = tool(g, "lszcrypt", "-c", "0b.0047");
        assertThat(r.out()).contains("SE bind state: unbound", "SE association state: unassociated");

        // associating first: se_associate_store refuses (EINVAL), chzcrypt says so
        r = tool(g, "chzcrypt", "--se-associate", "7", "0b.0047");
        assertThat(r.rc()).isNotZero();
        assertThat(r.out()).contains("Failure writing to", "Invalid argument");
        // an accelerator has nothing to associate: se_associate shows "-"
        r = tool(g, "chzcrypt", "--se-associate", "7", "06.0047");
        assertThat(r.rc()).isNotZero();
        assertThat(r.out()).contains("is NOT in 'unassociated' state (state '-' found)");

        r = tool(g, "chzcrypt", "--se-bind", "0b.0047");
        assertThat(r.rc()).as(r.out()).isZero();
        assertThat(tool(g, "lszcrypt", "-c", "0b.0047").out()).contains("SE bind state: bound",
                "SE association state: unassociated");
        // bound already: chzcrypt finds it not 'unbound'
        r = tool(g, "chzcrypt", "--se-bind", "0b.0047");
        assertThat(r.out()).contains("is NOT in 'unbound' state (state 'bound' found)");

        r = tool(g, "chzcrypt", "--se-associate", "7", "0b.0047");
        assertThat(r.rc()).as(r.out()).isZero();
        assertThat(tool(g, "lszcrypt", "-c", "0b.0047").out()).contains("SE bind state: bound",
                "SE association state: associated 7");

        r = tool(g, "chzcrypt", "--se-unbind", "0b.0047");
        assertThat(r.rc()).as(r.out()).isZero();
        assertThat(tool(g, "lszcrypt", "-c", "0b.0047").out()).contains("SE bind state: unbound",
                "SE association state: unassociated");
        // the host sees none of it: the host's queue has no SE files
        assertThat(Files.exists(host.resolve("devices/ap/card0b/0b.0047/se_bind"))).isFalse();
    }
}
