package org.apsysfs.picture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.live.KernfsView;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The matrix picture of a simulated system, read in-process through the files a reader of the
 * mount sees. Expectations come from the kernel's rules (vfio_ap_mdev_filter_matrix in
 * drivers/s390/crypto/vfio_ap_ops.c, status_show in vfio_ap_drv.c), and the picture is checked
 * against guest_matrix itself.
 */
class MatrixPictureTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String M = SysfsPaths.mdev(U);
    static final String CREATE = SysfsPaths.MDEV_CREATE;

    static Matrix picture(Daemon d) {
        return Matrix.read(new KernfsView(d.kernel()::sysfs));
    }

    /** The seed example: adapters 04 and 05, domains 0004 0047 0054 assigned; 05.0054 unbound. */
    static InProcessSysfs seed(Daemon d) {
        InProcessSysfs s = new InProcessSysfs(d);
        s.write("bus/ap/apmask", "-4,-5\n");
        s.write(CREATE, U + "\n");
        s.write(M + "assign_adapter", "4\n");
        s.write(M + "assign_adapter", "5\n");
        for (String dom : new String[] {"4", "0x47", "0x54"}) {
            s.write(M + "assign_domain", dom + "\n");
        }
        s.write("bus/ap/drivers/vfio_ap/unbind", "05.0054\n");
        return s;
    }

    @Test
    void seedExampleMarksAdapter05FilteredBecauseOf050054ThenAdapter04() {
        Daemon d = Daemon.create("default", new ManualClock());
        InProcessSysfs s = seed(d);
        assertThat(s.read(M + "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        Matrix m = picture(d);
        assertThat(m.cell(5, 0x54).kind()).isEqualTo(Matrix.Kind.FILTERED);
        assertThat(m.cell(5, 0x54).why()).isEqualTo(Matrix.Why.QUEUE);
        assertThat(m.cell(5, 0x54).symbol()).isEqualTo("1x");
        assertThat(m.cell(5, 0x04).why()).isEqualTo(Matrix.Why.ADAPTER_RULE);
        assertThat(m.cell(5, 0x47).symbol()).isEqualTo("1!");
        assertThat(m.cell(4, 0x04).kind()).isEqualTo(Matrix.Kind.ASSIGNED);
        assertThat(m.cell(4, 0x05).kind()).isEqualTo(Matrix.Kind.FREE); // freed by apmask, not assigned
        assertThat(m.cell(6, 0x04).kind()).isEqualTo(Matrix.Kind.HOST);
        assertThat(m.cell(6, 0x06).kind()).isEqualTo(Matrix.Kind.NOT_CONFIGURED); // 0006: a control domain only
        assertThat(m.notes()).hasSize(1);
        assertThat(m.notes().get(0).adapter()).isEqualTo(5);
        assertThat(m.notes().get(0).text()).startsWith("adapter 05: 05.0054 is unbound");

        s.write("bus/ap/drivers/vfio_ap/bind", "05.0054\n"); // the probe filters again: 05 comes back
        s.write("bus/ap/drivers/vfio_ap/unbind", "04.0004\n");
        assertThat(s.read(M + "guest_matrix")).isEqualTo("05.0004\n05.0047\n05.0054\n");
        m = picture(d);
        assertThat(m.cell(4, 0x04).symbol()).isEqualTo("1x");
        assertThat(m.cell(4, 0x47).symbol()).isEqualTo("1!");
        assertThat(m.cell(4, 0x54).symbol()).isEqualTo("1!");
        assertThat(m.cell(5, 0x54).symbol()).isEqualTo("1");
        assertThat(m.notes()).extracting(Matrix.Note::adapter).containsExactly(4);
        assertThat(m.notes().get(0).text()).startsWith("adapter 04: 04.0004 is unbound");

        String text = TextPicture.render(m, 80, false);
        assertThat(text).contains("04 CEX8C  1x   f    -    1!   1!\n");
        assertThat(text).contains("mdev 1 adapter 04: 04.0004 is unbound");
        assertThat(text).doesNotContain("\033[");
        assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(TextPicture.render(m, 80, true)).contains("\033[1;31m1x\033[0m");
    }

    @Test
    void aGuestThatOpenedTheMdevIsNamedAndItsQueuesAreGiven() {
        Daemon d = Daemon.create("default", new ManualClock());
        InProcessSysfs s = seed(d);
        s.write("kernel/debug/apsysfs/guests/create", "g1\n");
        s.write("kernel/debug/apsysfs/guests/g1/attach", U + "\n");
        assertThat(s.read("devices/ap/card04/04.0004/status")).isEqualTo("in use\n");
        Matrix m = picture(d);
        assertThat(m.mdevs()).singleElement().satisfies(md -> assertThat(md.guest()).isEqualTo("g1"));
        assertThat(m.cell(4, 0x47).symbol()).isEqualTo("1G");
        assertThat(m.cell(5, 0x47).symbol()).isEqualTo("1!");
    }

    /** The shadow is the assignment intersected with the host configuration (QCI) first. */
    @Test
    void assignedButNotInTheHostConfiguration() {
        Daemon d = Daemon.create("default", new ManualClock());
        InProcessSysfs s = seed(d);
        s.write("bus/ap/drivers/vfio_ap/bind", "05.0054\n");
        s.write("kernel/debug/apsysfs/host/domain_remove", "0x47\n");
        s.write("kernel/debug/apsysfs/host/adapter_remove", "5\n");
        assertThat(s.read(M + "guest_matrix")).isEqualTo("04.0004\n04.0054\n");
        Matrix m = picture(d);
        assertThat(m.cell(4, 0x47).symbol()).isEqualTo("1-");
        assertThat(m.cell(4, 0x54).symbol()).isEqualTo("1");
        assertThat(m.cell(5, 0x04).symbol()).isEqualTo("1-");
        assertThat(m.adapters()).extracting(Matrix.Adapter::id).contains(5); // assigned: still a row
        assertThat(m.notes()).singleElement().satisfies(n -> assertThat(n.text())
                .isEqualTo("adapter 05: not in the host configuration (ap_adapter_mask)"));
    }

    @Test
    void controlDomainsAreARow() {
        Daemon d = Daemon.create("default", new ManualClock());
        InProcessSysfs s = seed(d);
        s.write(M + "assign_control_domain", "0x47\n");
        s.write(M + "assign_control_domain", "0x50\n"); // in range (84), not in the host's ADM
        Matrix m = picture(d);
        assertThat(m.domains()).containsExactly(0x04, 0x05, 0x06, 0x47, 0x50, 0x54);
        assertThat(m.control()).extracting(Matrix.ControlCell::symbol).containsExactly("c", "c", "c", "1", "1-", "c");
    }

    @Test
    void checkStoppedAndConfiguredOffAreMarked() {
        Daemon d = Daemon.create("default", new ManualClock());
        InProcessSysfs s = new InProcessSysfs(d);
        s.write("kernel/debug/apsysfs/host/checkstop", "0xb 1\n");
        s.write("devices/ap/card06/online", "0\n");
        Matrix m = picture(d);
        assertThat(m.adapters()).filteredOn(a -> a.id() == 0xb).singleElement()
                .satisfies(a -> assertThat(a.marks()).contains("#"));
        // online_show (zcrypt_queue.c) reads 0 for a check-stopped queue: offline too
        assertThat(m.cell(0xb, 4).symbol()).isEqualTo("H~#");
        assertThat(m.adapters()).filteredOn(a -> a.id() == 6).singleElement()
                .satisfies(a -> assertThat(a.marks()).isEqualTo("~"));
        assertThat(TextPicture.render(m, 80, false)).contains("#   check-stopped").contains("~   offline");
    }

    /**
     * Random stores (masks, binds, unbinds, assigns, unassigns): whatever the picture calls
     * assigned or given is exactly what guest_matrix lists, and an adapter the kernel's rule
     * drops is never in it.
     */
    @Test
    void thePictureAgreesWithGuestMatrix() {
        for (long seed = 1; seed <= 6; seed++) {
            Daemon d = Daemon.create("default", new ManualClock());
            InProcessSysfs s = new InProcessSysfs(d);
            s.write(CREATE, U + "\n");
            Random r = new Random(seed);
            int[] as = {4, 5, 6, 0xb};
            int[] ds = {4, 5, 0x47, 0x54};
            for (int step = 0; step < 60; step++) {
                int a = as[r.nextInt(as.length)];
                int dd = ds[r.nextInt(ds.length)];
                String q = String.format("%02x.%04x", a, dd);
                switch (r.nextInt(8)) {
                    case 0 -> s.tryWrite("bus/ap/apmask", (r.nextBoolean() ? "-" : "+") + a + "\n");
                    case 1 -> s.tryWrite("bus/ap/aqmask", (r.nextBoolean() ? "-" : "+") + dd + "\n");
                    case 2 -> s.tryWrite(M + "assign_adapter", a + "\n");
                    case 3 -> s.tryWrite(M + "assign_domain", dd + "\n");
                    case 4 -> s.tryWrite(M + "unassign_" + (r.nextBoolean() ? "adapter" : "domain"),
                            (r.nextBoolean() ? a : dd) + "\n");
                    case 5 -> s.tryWrite("bus/ap/drivers/vfio_ap/unbind", q + "\n");
                    case 6 -> s.tryWrite("bus/ap/drivers/vfio_ap/bind", q + "\n");
                    default -> s.tryWrite("bus/ap/drivers/cex4queue/unbind", q + "\n");
                }
                Matrix m = picture(d);
                TreeSet<String> given = new TreeSet<>();
                for (Matrix.Cell c : m.cells()) {
                    if (c.kind() == Matrix.Kind.ASSIGNED || c.kind() == Matrix.Kind.GUEST) {
                        given.add(c.apqn());
                    }
                }
                TreeSet<String> guestMatrix = new TreeSet<>();
                for (String l : s.read(M + "guest_matrix").split("\n")) {
                    if (l.matches("[0-9a-f]{2}\\.[0-9a-f]{4}")) {
                        guestMatrix.add(l);
                    }
                }
                assertThat(given).as("seed %d step %d", seed, step).isEqualTo(guestMatrix);
                assertThat(m.notes()).as("seed %d step %d", seed, step)
                        .noneMatch(n -> n.text().contains("is in guest_matrix although"));
            }
        }
    }

    @Test
    void fitsEightyColumnsAndSummarisesTheFullMachine() {
        Daemon d = Daemon.create("full", new ManualClock());
        InProcessSysfs s = new InProcessSysfs(d);
        s.write("bus/ap/apmask", "-5\n");
        s.write(CREATE, U + "\n");
        s.write(M + "assign_adapter", "5\n");
        s.write(M + "assign_domain", "7\n");
        Matrix m = picture(d);
        assertThat(m.adapters()).hasSize(256);
        assertThat(m.domains()).hasSize(256);
        String text = TextPicture.render(m, 80, false);
        assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(text).contains("(alike neighbours merged)");
        assertThat(text).contains("0000-0006 0007 0008-00ff");
        assertThat(text).contains("05 CEX8C     f         1    f");
        assertThat(text).contains("00-04 CEX8C  H         H    H");
    }

    /**
     * A large mdev: matrix and guest_matrix are cut at 4095 bytes (sysfs_kf_seq_show in
     * fs/sysfs/file.c cuts a show that fills its page), so the picture takes the assignment from
     * ap_config and computes the guest by vfio_ap_mdev_filter_matrix's rule, says so in the
     * legend, and agrees with the whole guest_matrix the simulator's whole_matrix switch serves.
     */
    @Test
    void aCutGuestMatrixIsComputedFromTheAssignmentAndTheBindings() {
        Daemon d = Daemon.create("full", new ManualClock());
        InProcessSysfs s = new InProcessSysfs(d);
        // adapters 00-03 (1024 APQNs, 8192 bytes of list) for vfio_ap, all assigned
        String all = "0x" + "f".repeat(64);
        s.write("bus/ap/apmask", "0x0" + "f".repeat(63) + "\n");
        s.write(CREATE, U + "\n");
        s.write(M + "ap_config", "0xf" + "0".repeat(63) + "," + all + "," + "0x" + "0".repeat(64) + "\n");
        s.write("bus/ap/drivers/vfio_ap/unbind", "02.0005\n");
        String cutList = s.read(M + "guest_matrix");
        assertThat(cutList).hasSize(4095).doesNotEndWith("\n");
        assertThat(Matrix.cut(cutList)).isTrue();
        assertThat(Matrix.cut(s.read(M + "ap_config"))).isFalse();

        Matrix m = picture(d);
        assertThat(m.mdevs()).singleElement().satisfies(md -> {
            assertThat(md.source()).isEqualTo(Matrix.Source.GUEST_COMPUTED);
            assertThat(md.apm().stream().boxed().toList()).containsExactly(0, 1, 2, 3);
        });
        assertThat(m.cell(2, 5).symbol()).isEqualTo("1x");
        assertThat(m.cell(2, 6).symbol()).isEqualTo("1!");
        assertThat(m.cell(1, 5).symbol()).isEqualTo("1");
        assertThat(m.cell(3, 0xfe).symbol()).isEqualTo("1"); // past the cut
        assertThat(m.cell(4, 0xfe).symbol()).isEqualTo("H");
        assertThat(m.caveats()).singleElement().asString().contains("guest_matrix is cut at 4095 bytes")
                .contains("kernel/debug/apsysfs/whole_matrix 1 serves the whole list");
        String text = TextPicture.render(m, 80, false);
        assertThat(text).contains("*   mdev 1: guest_matrix is cut at 4095 bytes");
        assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));

        // the whole list agrees with what the picture computed
        s.write("kernel/debug/apsysfs/whole_matrix", "1\n");
        TreeSet<String> whole = new TreeSet<>(List.of(s.read(M + "guest_matrix").split("\n")));
        TreeSet<String> given = new TreeSet<>();
        for (Matrix.Cell c : m.cells()) {
            if (c.kind() == Matrix.Kind.ASSIGNED || c.kind() == Matrix.Kind.GUEST) {
                given.add(c.apqn());
            }
        }
        assertThat(given).hasSize(3 * 256).isEqualTo(whole);
        Matrix w = picture(d);
        assertThat(w.mdevs().get(0).source()).isEqualTo(Matrix.Source.FILES);
        assertThat(w.caveats()).isEmpty();
    }

    /**
     * A tree of plain files as a real system has it (no debugfs guests): the guest is seen
     * through the queues' status ("in use"), the type and driver links through the files.
     */
    @Test
    void readsAPlainDirectoryTreeLikeARealSys(@TempDir Path sys) throws IOException {
        String zeros = "0".repeat(62);
        file(sys, "bus/ap/ap_adapter_mask", "0x0c" + zeros);
        file(sys, "bus/ap/ap_usage_domain_mask", "0x08" + zeros);
        file(sys, "bus/ap/ap_control_domain_mask", "0x08" + zeros);
        file(sys, "bus/ap/apmask", "0xf7" + "f".repeat(62));
        file(sys, "bus/ap/aqmask", "0x" + "f".repeat(64));
        Files.createDirectories(sys.resolve("bus/ap/drivers/vfio_ap"));
        Files.createDirectories(sys.resolve("bus/ap/drivers/cex4queue"));
        for (String c : List.of("04", "05")) {
            file(sys, "devices/ap/card" + c + "/type", "CEX7C");
            file(sys, "devices/ap/card" + c + "/online", "1");
            Path q = sys.resolve("devices/ap/card" + c + "/" + c + ".0004");
            Files.createDirectories(q);
            Files.createSymbolicLink(q.resolve("driver"), Path.of("../../../../bus/ap/drivers/"
                    + (c.equals("04") ? "vfio_ap" : "cex4queue")));
        }
        file(sys, "devices/ap/card04/04.0004/status", "in use");
        file(sys, "devices/vfio_ap/matrix/" + U + "/matrix", "04.0004");
        file(sys, "devices/vfio_ap/matrix/" + U + "/guest_matrix", "04.0004");
        file(sys, "devices/vfio_ap/matrix/" + U + "/control_domains", "0004");
        Matrix m = Matrix.read(SysfsView.of(sys));
        assertThat(m.mdevs()).singleElement().satisfies(md -> assertThat(md.guest()).isEqualTo("a guest"));
        assertThat(m.cell(4, 4).symbol()).isEqualTo("1G");
        assertThat(m.cell(5, 4).symbol()).isEqualTo("H");
        assertThat(m.control()).extracting(Matrix.ControlCell::symbol).containsExactly("1");
        List<String> lines = new ArrayList<>(TextPicture.render(m, 80, false).lines().toList());
        assertThat(lines).contains("04 CEX7C  1G", "05 CEX7C  H", "control   1");
        assertThat(HtmlPicture.svg(m)).startsWith("<svg").contains(">1G</text>");
        assertThat(HtmlPicture.document(m)).contains("<td class=\"guest\" data-apqn=\"04.0004\"");
    }

    /** A real system's tree without ap_config whose matrix and guest_matrix were cut short. */
    @Test
    void aCutMatrixWithoutApConfigKeepsItsWholeLines(@TempDir Path sys) throws IOException {
        file(sys, "bus/ap/ap_adapter_mask", "0x" + "f".repeat(64));
        file(sys, "bus/ap/ap_usage_domain_mask", "0x" + "f".repeat(64));
        StringBuilder list = new StringBuilder();
        for (int a = 0; a < 3; a++) {
            for (int dd = 0; dd < 256; dd++) {
                list.append(String.format("%02x.%04x%n", a, dd));
            }
        }
        String cutList = list.substring(0, 4095); // 511 whole lines and "01.00ff"[0..7)
        Path md = sys.resolve("devices/vfio_ap/matrix/" + U);
        Files.createDirectories(md);
        Files.writeString(md.resolve("matrix"), cutList);
        Files.writeString(md.resolve("guest_matrix"), cutList);
        Matrix m = Matrix.read(SysfsView.of(sys));
        assertThat(m.mdevs()).singleElement().satisfies(x -> {
            assertThat(x.source()).isEqualTo(Matrix.Source.MATRIX_CUT);
            assertThat(x.apm().stream().boxed().toList()).containsExactly(0, 1);
            assertThat(x.aqm().cardinality()).isEqualTo(256);
        });
        assertThat(m.caveats()).singleElement().asString().contains("matrix is cut at 4095 bytes")
                .doesNotContain("whole_matrix");
        // no queue devices here: every assigned adapter is filtered by the rule
        assertThat(m.cell(1, 0xfe).symbol()).isEqualTo("1x");
    }

    private static void file(Path root, String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content + "\n");
    }
}
