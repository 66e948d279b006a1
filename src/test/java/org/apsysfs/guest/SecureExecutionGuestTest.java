package org.apsysfs.guest;

import static org.apsysfs.guest.GuestKernelTest.ls;
import static org.apsysfs.guest.GuestKernelTest.read;
import static org.apsysfs.guest.GuestKernelTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.kernel.Errno;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Secure Execution guest's AP bus: the se_bind/se_associate queue files and their rules
 * (ap_queue.c se_bind_show/store, se_associate_show/store, ap_sm_assoc_wait, ap_queue_usable),
 * the bind state bits of ap_functions, /sys/firmware/uv/prot_virt_guest (uv.c), and what
 * zcrypt does with a queue that is not bound (zcrypt_api.c sends nothing to it).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecureExecutionGuestTest {
    static final String EP11 = "/devices/ap/card0b/0b.0047";
    static final String ACCEL = "/devices/ap/card06/06.0047";
    static final String CCA = "/devices/ap/card05/05.0047";

    Sim s;
    GuestKernel g;

    @BeforeEach
    void setUp() {
        s = Sim.vfio();
        s.ok("/bus/ap/apmask", "-0xb\n");
        s.settle();
        String u = s.mdevWith(new String[] {"5", "6", "b"}, new String[] {"47"});
        s.guest("se1", "protected");
        s.attach("se1", u);
        g = GuestKernel.of(s.d.guests().get("se1"), s.d.hardware(), s.d.kernel().clock());
    }

    @AfterEach
    void noHazards() {
        assertThat(s.hazards()).as("hazards").isEmpty();
    }

    /** Reads and checks the file stayed as it was after a refused store. */
    void refused(String path, String value, Errno errno, String file, String unchanged) {
        assertThat(write(g, path + "/" + file, value)).as("echo '%s' > %s/%s", value.strip(), path, file).isEqualTo(errno);
        assertThat(read(g, path + "/" + file)).isEqualTo(unchanged);
    }

    @Test
    void theGuestKnowsItIsProtectedAndHasTheSeFiles() {
        assertThat(read(g, "/firmware/uv/prot_virt_guest")).isEqualTo("1\n");
        assertThat(read(g, "/bus/ap/features")).contains("APSB");
        assertThat(ls(g, "/bus/ap/devices")).contains("0b.0047", "06.0047", "05.0047");
        assertThat(ls(g, EP11)).contains("se_bind", "se_associate");
        // what cannot bind shows "-"; what cannot associate too
        assertThat(read(g, CCA + "/se_bind")).isEqualTo("-\n");
        assertThat(read(g, ACCEL + "/se_associate")).isEqualTo("-\n");
        assertThat(read(g, EP11 + "/se_bind")).isEqualTo("unbound\n");
        assertThat(read(g, EP11 + "/se_associate")).isEqualTo("unassociated\n");
        // ap_functions carries the bind state in bits 16..17: 2 = available for binding
        assertThat(Long.decode(read(g, EP11 + "/ap_functions").strip()) & 0xc000).isEqualTo(0x8000);
    }

    @Test
    void bindThenAssociateInTheKernelsOrderWithItsRefusals() {
        // association before bind: bs is not "usable, no secure key"
        refused(EP11, "1\n", Errno.EINVAL, "se_associate", "unassociated\n");
        // files of queues that cannot do it
        refused(CCA, "1\n", Errno.EINVAL, "se_bind", "-\n");
        refused(ACCEL, "1\n", Errno.EINVAL, "se_associate", "-\n");
        // kstrtobool
        refused(EP11, "x\n", Errno.EINVAL, "se_bind", "unbound\n");
        refused(EP11, "\n", Errno.EINVAL, "se_bind", "unbound\n");
        // an unbound EP11 queue is not ap_queue_usable: zcrypt sends it nothing
        assertThat(read(g, EP11 + "/mkvps")).contains("- -");

        assertThat(write(g, EP11 + "/se_bind", "1\n")).isNull();
        assertThat(read(g, EP11 + "/se_bind")).isEqualTo("bound\n");
        assertThat(read(g, EP11 + "/se_associate")).isEqualTo("unassociated\n");
        assertThat(Long.decode(read(g, EP11 + "/ap_functions").strip()) & 0xc000).isEqualTo(0x4000);
        assertThat(read(g, EP11 + "/mkvps")).doesNotContain("- -");
        // bound already: bs is not "available for binding"
        refused(EP11, "1\n", Errno.EINVAL, "se_bind", "bound\n");

        // kstrtouint base 0, below ASSOC_IDX_INVALID
        refused(EP11, "0x10000\n", Errno.EINVAL, "se_associate", "unassociated\n");
        refused(EP11, "-1\n", Errno.EINVAL, "se_associate", "unassociated\n");
        refused(EP11, "4294967296\n", Errno.ERANGE, "se_associate", "unassociated\n");
        refused(EP11, "abc\n", Errno.EINVAL, "se_associate", "unassociated\n");
        assertThat(write(g, EP11 + "/se_associate", "0x11\n")).isNull();
        assertThat(read(g, EP11 + "/se_associate")).isEqualTo("associated 17\n");
        assertThat(Long.decode(read(g, EP11 + "/ap_functions").strip()) & 0xc000).isZero();
        // associated: no second association
        refused(EP11, "3\n", Errno.EINVAL, "se_associate", "associated 17\n");

        // the accelerator binds and needs no association
        assertThat(write(g, ACCEL + "/se_bind", "yes\n")).isNull();
        assertThat(read(g, ACCEL + "/se_bind")).isEqualTo("bound\n");
    }

    @Test
    void unbindAndAHostResetUndoTheBinding() {
        assertThat(write(g, EP11 + "/se_bind", "1\n")).isNull();
        assertThat(write(g, EP11 + "/se_associate", "2\n")).isNull();
        // se_bind 0: a full reset (RAPQ with the F bit) unbinds and drops the association
        assertThat(write(g, EP11 + "/se_bind", "0\n")).isNull();
        assertThat(read(g, EP11 + "/se_bind")).isEqualTo("unbound\n");
        assertThat(read(g, EP11 + "/se_associate")).isEqualTo("unassociated\n");
        // while the reset runs, binding again finds TAPQ not normal: EIO
        assertThat(write(g, EP11 + "/se_bind", "1\n")).isEqualTo(Errno.EIO);
        s.settle();
        assertThat(write(g, EP11 + "/se_bind", "1\n")).isNull();
        assertThat(read(g, EP11 + "/se_bind")).isEqualTo("bound\n");

        // the host resets the guest's queues (VFIO_DEVICE_RESET): the binding is gone
        s.ok("/kernel/debug/apsysfs/guests/se1/reset", "1");
        s.settle();
        assertThat(read(g, EP11 + "/se_bind")).isEqualTo("unbound\n");
        assertThat(read(g, EP11 + "/mkvps")).contains("- -");
    }
}
