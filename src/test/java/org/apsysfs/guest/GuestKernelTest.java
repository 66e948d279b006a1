package org.apsysfs.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.Cred;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsNode;
import org.apsysfs.sysfs.KernfsOpenFile;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest kernel in-process: its AP bus on the guest's view of the hardware (QCI = the
 * CRYCB vfio_ap set with kvm_arch_crypto_set_masks), its rescans on vfio_ap's configuration
 * change signal (ap_bus_cfg_chg), and the seed example of vfio_ap_mdev_filter_matrix from the
 * guest's side.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuestKernelTest {
    Sim s;
    String u;

    @BeforeEach
    void setUp() {
        s = Sim.vfio();
        u = s.mdevWith(new String[] {"4", "5"}, new String[] {"4", "47", "54"});
        s.guest("g1");
    }

    @AfterEach
    void noHazards() {
        assertThat(s.hazards()).as("hazards").isEmpty();
    }

    GuestKernel boot(String name) {
        Kvm kvm = s.d.guests().get(name);
        return GuestKernel.of(kvm, s.d.hardware(), s.d.kernel().clock());
    }

    static String read(GuestKernel g, String path) {
        KernfsNode n = g.kernfs().lookup(path);
        assertThat(n).as(path).isNotNull();
        KernfsOpenFile f = g.kernfs().open(n, 0, Cred.ROOT);
        try {
            return new String(f.read(0, 1 << 20), StandardCharsets.ISO_8859_1);
        } finally {
            f.release();
        }
    }

    static Errno write(GuestKernel g, String path, String value) {
        KernfsNode n = g.kernfs().lookup(path);
        if (n == null) {
            return Errno.ENOENT;
        }
        try {
            KernfsOpenFile f = g.kernfs().open(n, 1, Cred.ROOT);
            byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
            f.write(b, b.length);
            return null;
        } catch (KernelException e) {
            return e.errno();
        }
    }

    static List<String> ls(GuestKernel g, String path) {
        KernfsNode n = g.kernfs().lookup(path);
        return n instanceof KernfsDir d ? d.list() : List.of();
    }

    @Test
    void beforeAttachTheGuestHasAnEmptyApBus() {
        GuestKernel g = boot("g1");
        assertThat(ls(g, "/bus/ap/devices")).isEmpty();
        assertThat(read(g, "/bus/ap/ap_adapter_mask")).isEqualTo("0x" + "0".repeat(64) + "\n");
        assertThat(read(g, "/firmware/uv/prot_virt_guest")).isEqualTo("0\n");
    }

    @Test
    void theGuestSeesExactlyItsGuestMatrixAndLosesAnAdapterWhenTheHostUnbindsAQueue() {
        GuestKernel g = boot("g1");
        s.attach("g1", u);
        assertThat(s.mdevRead(u, "guest_matrix"))
                .isEqualTo("04.0004\n04.0047\n04.0054\n05.0004\n05.0047\n05.0054\n");
        assertThat(ls(g, "/bus/ap/devices")).containsExactlyInAnyOrder("card04", "card05", "04.0004", "04.0047",
                "04.0054", "05.0004", "05.0047", "05.0054");
        assertThat(read(g, "/bus/ap/ap_adapter_mask")).startsWith("0x0c00");
        assertThat(read(g, "/bus/ap/bindings")).isEqualTo("6/6 (complete)\n");
        assertThat(read(g, "/devices/ap/card05/05.0054/interrupt")).isEqualTo("Interrupts enabled.\n");
        assertThat(s.d.kernel().sysfs().lookup("/devices/ap/card05/05.0054/driver")).isNotNull();

        // 05.0054 leaves vfio_ap on the host: vfio_ap_mdev_filter_matrix drops adapter 05
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0054");
        assertThat(s.mdevRead(u, "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        assertThat(ls(g, "/bus/ap/devices")).containsExactlyInAnyOrder("card04", "04.0004", "04.0047", "04.0054");
        assertThat(read(g, "/kernel/debug/apsysfs/uevents")).contains("remove /devices/ap/card05/05.0054 (ap)");

        // 04.0004 too: adapter 04 goes, the guest has no AP device left
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "04.0004");
        assertThat(ls(g, "/bus/ap/devices")).isEmpty();
        assertThat(read(g, "/bus/ap/ap_adapter_mask")).isEqualTo("0x" + "0".repeat(64) + "\n");
    }

    @Test
    void aResetByTheHostShowsInTheGuestsQueue() {
        GuestKernel g = boot("g1");
        s.attach("g1", u);
        assertThat(read(g, "/devices/ap/card04/04.0047/interrupt")).isEqualTo("Interrupts enabled.\n");
        // VFIO_DEVICE_RESET: vfio_ap resets every queue of the guest (ZAPQ)
        s.ok("/kernel/debug/apsysfs/guests/g1/reset", "1");
        s.settle();
        assertThat(read(g, "/devices/ap/card04/04.0047/interrupt")).isEqualTo("Interrupts disabled.\n");
    }
}
