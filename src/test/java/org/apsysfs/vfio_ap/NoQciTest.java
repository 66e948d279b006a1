package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.hardware.MachineSpec;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;

/**
 * vfio_ap on a machine without PQAP(QCI): vfio_ap_matrix_dev_create (vfio_ap_drv.c) fills
 * matrix_dev->info only "if (test_facility(12))", so it stays zeroed. vfio_ap_matrix_init then
 * gives every mdev ids up to 63 and 15 (no APXA), and vfio_ap_mdev_filter_matrix /
 * vfio_ap_mdev_filter_cdoms AND the mdev's masks with the zero info masks: the shadow APCB, and
 * so guest_matrix and a guest's CRYCB, stay empty whatever is assigned.
 */
class NoQciTest {
    static Sim boot() {
        Daemon d = Daemon.create(MachineSpec.parse("""
                {"qci": false,
                 "adapters": [{"id": 1, "model": "CEX8C"}, {"id": 2, "model": "CEX8A"}],
                 "usageDomains": [1, 2], "controlDomains": [1, 2]}
                """, "t"), new ManualClock());
        Sim s = Sim.of(d);
        s.ok("/bus/ap/apmask", "-1,-2\n");
        s.settle();
        return s;
    }

    @Test
    void theShadowApcbOfEveryMdevIsEmpty() {
        Sim s = boot();
        assertThat(s.read("/bus/ap/features")).isEqualTo("-\n");
        assertThat(s.read("/bus/ap/ap_adapter_mask")).isEqualTo("not supported\n");
        String u = s.createMdev();
        s.mdevWrite(u, "assign_adapter", "1");
        s.mdevWrite(u, "assign_adapter", "2");
        s.mdevWrite(u, "assign_domain", "1");
        s.mdevWrite(u, "assign_control_domain", "2");
        assertThat(s.mdevRead(u, "matrix")).isEqualTo("01.0001\n02.0001\n");
        assertThat(s.mdevRead(u, "control_domains")).isEqualTo("0002\n");
        assertThat(s.mdevRead(u, "guest_matrix")).isEmpty();
        // vfio_ap_matrix_init without APXA: adapter ids up to 63, domains up to 15
        s.fails(SysfsPaths.mdev(u) + "assign_adapter", "64", Errno.ENODEV);
        s.fails(SysfsPaths.mdev(u) + "assign_domain", "16", Errno.ENODEV);
        Kvm k = s.guest("g1");
        s.attach("g1", u);
        assertThat(k.apm().isEmpty()).isTrue();
        assertThat(k.aqm().isEmpty()).isTrue();
        assertThat(k.adm().isEmpty()).isTrue();
        assertThat(s.guestRead("g1", "apqns")).isEmpty();
    }
}
