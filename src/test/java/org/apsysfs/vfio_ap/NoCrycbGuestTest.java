package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;

/**
 * vfio_ap_mdev_set_kvm (vfio_ap_ops.c) links an mdev to its guest, and refuses a second mdev
 * for the same guest (EPERM), only when the guest has a CRYCB (kvm->arch.crypto.crycbd);
 * without one open_device succeeds with nothing linked, for any number of mdevs.
 */
class NoCrycbGuestTest {
    static final String U1 = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String U2 = "4da9b893-d4ca-4e89-b5f9-6487c2be042c";
    static final String G = SysfsPaths.GUESTS;

    @Test
    void aGuestWithoutCrycbMayOpenSeveralMdevs() {
        Sim s = Sim.vfio();
        s.ok(SysfsPaths.MDEV_CREATE, U1);
        s.ok(SysfsPaths.MDEV_CREATE, U2);
        s.ok(SysfsPaths.mdev(U1) + "assign_adapter", "4");
        s.ok(SysfsPaths.mdev(U1) + "assign_domain", "4");
        s.ok(SysfsPaths.mdev(U2) + "assign_adapter", "5");
        s.ok(SysfsPaths.mdev(U2) + "assign_domain", "5");
        s.ok(G + "create", "g1 nocrycb");
        s.ok(G + "g1/attach", U1);
        s.ok(G + "g1/attach", U2);
        assertThat(s.read(G + "g1/status")).contains("mdev: " + U1 + " " + U2 + "\n");
        s.fails(G + "g1/attach", U2, Errno.EBUSY); // the same device twice: the VMM refuses
        s.fails(G + "destroy", "g1", Errno.EBUSY);
        s.ok(G + "g1/detach", U1);
        assertThat(s.read(G + "g1/status")).contains("mdev: " + U2 + "\n");
        s.ok(G + "g1/detach", U2);
        assertThat(s.read(G + "g1/status")).contains("mdev: -\n");
        s.ok(G + "destroy", "g1");

        // with a CRYCB: the second open is vfio_ap's EPERM
        s.ok(G + "create", "g2");
        s.ok(G + "g2/attach", U1);
        s.fails(G + "g2/attach", U2, Errno.EPERM);
        s.ok(G + "g2/detach", U1);
    }
}
