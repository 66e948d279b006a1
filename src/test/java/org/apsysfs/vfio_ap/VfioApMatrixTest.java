package org.apsysfs.vfio_ap;

import static org.apsysfs.vfio_ap.InProc.apConfig;
import static org.apsysfs.vfio_ap.InProc.mask;
import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.hardware.AdapterSpec;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApModel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The matrix rules in-process on the default machine: output formats, guest_matrix filtering
 * (vfio_ap_mdev_filter_matrix), queue probe/remove with and without a guest
 * (vfio_ap_mdev_probe_queue/remove_queue), queue status (status_show), in_use
 * (vfio_ap_mdev_resource_in_use), host configuration changes (vfio_ap_on_cfg_changed) and the
 * common mistakes.
 */
class VfioApMatrixTest {
    static final String VFIO = SysfsPaths.VFIO_AP_DRIVER;

    InProc s;
    String u;
    String p;
    Kvm guest;

    @BeforeEach
    void boot() {
        s = InProc.defaultMachine();
        u = s.create();
        p = s.mdev(u);
    }

    @AfterEach
    void detach() {
        if (guest != null && s.m(u) != null && s.m(u).vfioDevice().isOpen()) {
            s.m(u).vfioDevice().close();
        }
    }

    String status(String apqn) {
        return s.read("/devices/ap/card" + apqn.substring(0, 2) + "/" + apqn + "/status");
    }

    Kvm attach() {
        guest = new Kvm("guest1", true);
        s.m(u).vfioDevice().open(guest, true);
        return guest;
    }

    /** The seed example: 04/05 x 0004/0047/0054 with 05.0054 unbound. */
    void seed() {
        s.freeAdapters(4, 5);
        s.ok(VFIO + "unbind", "05.0054\n");
        s.ok(p + "ap_config", apConfig(mask(4, 5), mask(4, 0x47, 0x54), mask()));
    }

    // ------------------------------------------------------------------ formats

    @Test
    void matrixFormatsAllFourShapes() {
        s.freeAdapters(5, 6);
        assertThat(s.read(p + "matrix")).isEmpty();
        assertThat(s.read(p + "guest_matrix")).isEmpty();
        assertThat(s.read(p + "control_domains")).isEmpty();
        s.ok(p + "assign_adapter", "6");
        s.ok(p + "assign_adapter", "5");
        assertThat(s.read(p + "matrix")).isEqualTo("05.\n06.\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("05.\n06.\n");
        s.ok(p + "assign_domain", "0x54");
        s.ok(p + "assign_domain", "4");
        assertThat(s.read(p + "matrix")).isEqualTo("05.0004\n05.0054\n06.0004\n06.0054\n");
        s.ok(p + "unassign_adapter", "5");
        s.ok(p + "unassign_adapter", "6");
        assertThat(s.read(p + "matrix")).isEqualTo(".0004\n.0054\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo(".0004\n.0054\n");
        s.ok(p + "assign_control_domain", "0x47");
        s.ok(p + "assign_control_domain", "0");
        assertThat(s.read(p + "control_domains")).isEqualTo("0000\n0047\n");
    }

    @Test
    void guestMatrixIsTheHostIntersectionFirst() {
        s.freeAdapters(5, 7);
        // adapter 7 and domain 0x30 are not in the host configuration: assignable, never in the guest
        s.ok(p + "ap_config", apConfig(mask(5, 7), mask(4, 0x30), mask(4, 0x30)));
        assertThat(s.read(p + "matrix")).isEqualTo("05.0004\n05.0030\n07.0004\n07.0030\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("05.0004\n");
        assertThat(s.m(u).shadowApcb.adm()).isEqualTo(ApMask.of(4));
        // a guest matrix with adapters but no host domain: "AA." lines
        s.ok(p + "ap_config", apConfig(mask(5), mask(0x30), mask()));
        assertThat(s.read(p + "guest_matrix")).isEqualTo("05.\n");
        s.ok(p + "ap_config", apConfig(mask(7), mask(4), mask()));
        assertThat(s.read(p + "guest_matrix")).isEqualTo(".0004\n");
        s.ok(p + "ap_config", apConfig(mask(7), mask(0x30), mask()));
        assertThat(s.read(p + "guest_matrix")).isEmpty();
        assertThat(s.read(p + "matrix")).isEqualTo("07.0030\n");
    }

    // ------------------------------------------------------------------ seed example and filtering

    @Test
    void seedExample() {
        seed();
        assertThat(s.read(p + "matrix")).isEqualTo(
                "04.0004\n04.0047\n04.0054\n05.0004\n05.0047\n05.0054\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        s.ok(VFIO + "bind", "05.0054");
        assertThat(s.read(p + "guest_matrix")).isEqualTo(s.read(p + "matrix"));
        s.ok(VFIO + "unbind", "04.0004");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("05.0004\n05.0047\n05.0054\n");
        assertThat(s.read(p + "matrix")).isEqualTo(
                "04.0004\n04.0047\n04.0054\n05.0004\n05.0047\n05.0054\n");
    }

    @Test
    void unassigningNeverReAddsAndRepeatedAssignsDoNotFilter() {
        seed(); // adapter 5 filtered because 05.0054 is unbound
        s.ok(p + "unassign_domain", "0x54");
        // 05.0054 is no longer assigned, but adapter 5 stays out until the next filter
        assertThat(s.read(p + "matrix")).isEqualTo("04.0004\n04.0047\n05.0004\n05.0047\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n");
        // the idempotent shortcuts return before filtering
        s.ok(p + "assign_adapter", "5");
        s.ok(p + "assign_domain", "4");
        s.ok(p + "unassign_domain", "0x30");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n");
        // control-domain changes do not filter the APM/AQM either
        s.ok(p + "assign_control_domain", "4");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n");
        // a real assign filters again: adapter 5 comes back
        s.ok(p + "assign_domain", "5");
        assertThat(s.read(p + "guest_matrix")).isEqualTo(
                "04.0004\n04.0005\n04.0047\n05.0004\n05.0005\n05.0047\n");
    }

    @Test
    void queueRemovalOnlySubtracts() {
        s.freeAdapters(4, 5);
        s.ok(p + "ap_config", apConfig(mask(4, 5), mask(4, 0x47), mask()));
        s.ok(VFIO + "unbind", "05.0004");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n");
        // unbinding the other queue of adapter 5 and re-binding the first: probe re-filters,
        // and 05.0047 is still missing, so adapter 5 stays out
        s.ok(VFIO + "unbind", "05.0047");
        s.ok(VFIO + "bind", "05.0004");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n");
        s.ok(VFIO + "bind", "05.0047");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n05.0004\n05.0047\n");
        // binding a queue no mdev holds changes nothing
        s.ok(VFIO + "unbind", "05.0054");
        s.ok(VFIO + "bind", "05.0054");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n05.0004\n05.0047\n");
    }

    // ------------------------------------------------------------------ status

    @Test
    void queueStatusFollowsAssignmentAndTheAttachedShadow() {
        seed();
        assertThat(status("04.0004")).isEqualTo("assigned\n");
        assertThat(status("05.0004")).isEqualTo("assigned\n");
        assertThat(status("04.0005")).isEqualTo("unassigned\n");
        assertThat(s.exists("/devices/ap/card05/05.0054/status")).isFalse(); // unbound
        assertThat(s.exists("/devices/ap/card06/06.0004/status")).isFalse(); // cex4queue
        attach();
        assertThat(status("04.0004")).isEqualTo("in use\n");
        assertThat(status("04.0054")).isEqualTo("in use\n");
        // assigned, bound, but its adapter is filtered out of the shadow
        assertThat(status("05.0004")).isEqualTo("assigned\n");
        assertThat(status("04.0005")).isEqualTo("unassigned\n");
        s.ok(VFIO + "bind", "05.0054");
        assertThat(status("05.0004")).isEqualTo("in use\n");
        assertThat(status("05.0054")).isEqualTo("in use\n");
        s.m(u).vfioDevice().close();
        assertThat(status("05.0054")).isEqualTo("assigned\n");
        s.ok(p + "remove", "1");
        assertThat(status("05.0054")).isEqualTo("unassigned\n");
    }

    // ------------------------------------------------------------------ guests: hot plug / unplug

    @Test
    void theGuestFollowsHotPlugAndUnplug() {
        seed();
        Kvm g = attach();
        assertThat(g.apm()).isEqualTo(ApMask.of(4));
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x47, 0x54));
        assertThat(g.adm()).isEqualTo(ApMask.empty());
        long signals = g.cfgChangeSignals();
        s.ok(VFIO + "bind", "05.0054"); // queue probe: hot plug adapter 5
        assertThat(g.apm()).isEqualTo(ApMask.of(4, 5));
        assertThat(g.cfgChangeSignals()).isGreaterThan(signals);
        s.ok(VFIO + "unbind", "04.0047"); // queue remove: the whole adapter 4 leaves the guest
        assertThat(g.apm()).isEqualTo(ApMask.of(5));
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x47, 0x54));
        s.ok(p + "unassign_domain", "0x47");
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x54));
        s.ok(p + "assign_control_domain", "0x47");
        s.ok(p + "assign_control_domain", "0x30"); // not a host control domain
        assertThat(g.adm()).isEqualTo(ApMask.of(0x47));
        signals = g.cfgChangeSignals();
        s.ok(p + "assign_control_domain", "0x30"); // no change, no signal
        assertThat(g.cfgChangeSignals()).isEqualTo(signals);
        s.ok(p + "unassign_control_domain", "0x47");
        assertThat(g.adm()).isEqualTo(ApMask.empty());
        s.ok(p + "unassign_adapter", "5");
        assertThat(g.apm()).isEqualTo(ApMask.empty());
        // 04.0047 is no longer assigned: its probe finds no mdev and filters nothing
        s.ok(VFIO + "bind", "04.0047");
        assertThat(g.apm()).isEqualTo(ApMask.empty());
        assertThat(s.read(p + "guest_matrix")).isEqualTo(".0004\n.0054\n");
        s.ok(p + "assign_domain", "0x47"); // the next filter: adapter 4 is complete again
        assertThat(g.apm()).isEqualTo(ApMask.of(4));
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        // the guest's masks are the shadow, always
        s.ok(p + "ap_config", apConfig(mask(4, 5), mask(5), mask(4)));
        assertThat(g.apm()).isEqualTo(s.m(u).shadowApcb.apm()).isEqualTo(ApMask.of(4, 5));
        assertThat(g.aqm()).isEqualTo(ApMask.of(5));
        assertThat(g.adm()).isEqualTo(ApMask.of(4));
        s.m(u).vfioDevice().close();
        assertThat(g.apm()).isEqualTo(ApMask.empty());
        assertThat(g.aqm()).isEqualTo(ApMask.empty());
        assertThat(g.adm()).isEqualTo(ApMask.empty());
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0005\n05.0005\n"); // the shadow stays
    }

    @Test
    void oneGuestOneMdev() {
        seed();
        Kvm g = attach();
        String v = s.create();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.m(v).vfioDevice().open(g, true)))
                .isInstanceOf(org.apsysfs.kernel.KernelException.class)
                .extracting(e -> ((org.apsysfs.kernel.KernelException) e).errno()).isEqualTo(Errno.EPERM);
        assertThat(s.m(v).kvm()).isNull();
    }

    // ------------------------------------------------------------------ in_use

    @Test
    void inUseRefusesSettingBitsOverAssignedApqnsOnly() {
        s.freeAdapters(4, 5);
        s.ok(p + "ap_config", apConfig(mask(5), mask(4, 0x54), mask()));
        String before = s.read("/bus/ap/apmask");
        s.d.kernel().log().clear();
        s.fails("/bus/ap/apmask", "+5", Errno.EBUSY);
        assertThat(s.read("/bus/ap/apmask")).isEqualTo(before);
        assertThat(s.log()).filteredOn(l -> l.contains("Can not reserve")).hasSize(2)
                .anyMatch(l -> l.endsWith("vfio_ap_mdev " + u + ": Can not reserve queue 05.0004 for host driver: in use by mdev"))
                .anyMatch(l -> l.endsWith("vfio_ap_mdev " + u + ": Can not reserve queue 05.0054 for host driver: in use by mdev"));
        // the absolute form too, and a write that sets other bits along with it
        s.fails("/bus/ap/apmask", "0x" + "f".repeat(64), Errno.EBUSY);
        s.fails("/bus/ap/apmask", "+4,+5", Errno.EBUSY);
        assertThat(s.read("/bus/ap/apmask")).isEqualTo(before);
        // setting adapter 4 (not assigned) is fine
        s.ok("/bus/ap/apmask", "+4");
        // clearing is never refused, also over assigned APQNs
        s.ok("/bus/ap/aqmask", "-4");
        s.ok("/bus/ap/aqmask", "-0x30");
        // re-reserving domain 4: the mdev holds 05.0004, but adapter 5 is not in apmask, so the
        // queue stays with vfio_ap (aqmask_commit: in_use(ap_perms.apm, newly set domains))
        s.ok("/bus/ap/aqmask", "+4");
        s.ok("/bus/ap/aqmask", "+0x30"); // nobody holds domain 0x30
        // an mdev with adapters only blocks nothing
        s.ok(p + "ap_config", apConfig(mask(5), mask(), mask()));
        s.ok("/bus/ap/apmask", "+5");
        s.ok("/bus/ap/aqmask", "+4");
        assertThat(s.read(p + "matrix")).isEqualTo("05.\n");
    }

    @Test
    void inUseIsAboutAssignmentNotBindingOrAGuest() {
        s.freeAdapters(5, 0x20);
        s.ok(VFIO + "unbind", "05.0004");
        s.ok(p + "ap_config", apConfig(mask(5, 0x20), mask(4), mask()));
        s.fails("/bus/ap/apmask", "+0x20", Errno.EBUSY); // no such adapter, still assigned
        s.fails("/bus/ap/apmask", "+5", Errno.EBUSY); // unbound queue, still assigned
    }

    // ------------------------------------------------------------------ host configuration

    @Test
    void hostAdapterRemovalDropsItFromTheGuestAndItsReturnBringsItBack() {
        seed();
        s.ok(VFIO + "bind", "05.0054");
        Kvm g = attach();
        assertThat(g.apm()).isEqualTo(ApMask.of(4, 5));
        s.d.hardware().removeAdapter(5);
        s.d.apBus().forceRescan();
        assertThat(s.exists("/devices/ap/card05")).isFalse();
        assertThat(s.read(p + "matrix")).contains("05.0004");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        assertThat(g.apm()).isEqualTo(ApMask.of(4));
        s.d.hardware().addAdapter(5);
        s.d.apBus().forceRescan();
        assertThat(s.exists("/devices/ap/card05/05.0054")).isTrue();
        assertThat(status("05.0054")).isEqualTo("in use\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo(s.read(p + "matrix"));
        assertThat(g.apm()).isEqualTo(ApMask.of(4, 5));
    }

    @Test
    void hostDomainRemovalDropsTheDomainNotTheAdapters() {
        seed();
        s.ok(VFIO + "bind", "05.0054");
        Kvm g = attach();
        s.d.hardware().removeUsageDomain(0x47);
        s.d.apBus().forceRescan();
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n04.0054\n05.0004\n05.0054\n");
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x54));
        assertThat(g.apm()).isEqualTo(ApMask.of(4, 5));
        s.d.hardware().addUsageDomain(0x47);
        s.d.apBus().forceRescan();
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x47, 0x54));
        assertThat(s.read(p + "guest_matrix")).isEqualTo(s.read(p + "matrix"));
    }

    @Test
    void overProvisionedAdaptersAndDomainsComeInAfterTheScan() {
        s.freeAdapters(4, 7);
        s.ok("/bus/ap/aqmask", "-0x30");
        s.ok(p + "ap_config", apConfig(mask(4, 7), mask(4, 0x30), mask(0x30)));
        Kvm g = attach();
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n");
        assertThat(g.adm()).isEqualTo(ApMask.empty());
        s.d.hardware().addAdapter(AdapterSpec.defaults(7, ApModel.parse("CEX8C"), true, 84));
        s.d.apBus().forceRescan();
        assertThat(s.exists("/devices/ap/card07/07.0004")).isTrue();
        assertThat(status("07.0004")).isEqualTo("in use\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("04.0004\n07.0004\n");
        assertThat(g.apm()).isEqualTo(ApMask.of(4, 7));
        s.d.hardware().addUsageDomain(0x30);
        s.d.hardware().addControlDomain(0x30);
        s.d.apBus().forceRescan();
        assertThat(s.read(p + "guest_matrix")).isEqualTo(s.read(p + "matrix"))
                .isEqualTo("04.0004\n04.0030\n07.0004\n07.0030\n");
        assertThat(g.aqm()).isEqualTo(ApMask.of(4, 0x30));
        assertThat(g.adm()).isEqualTo(ApMask.of(0x30));
        // and a new domain whose queues of adapter 4 are reserved for the host? not possible: the
        // assignment check is mask based, so every assigned APQN is free and binds to vfio_ap
        assertThat(status("04.0030")).isEqualTo("in use\n");
    }

    /**
     * Upstream quirk kept: vfio_ap_mdev_cfg_remove computes the removed control domains with
     * an and-not against the assignment, so a removed control domain the mdev has assigned stays
     * in the guest's ADM; the next control-domain filter (here an assign) drops it.
     */
    @Test
    void aRemovedHostControlDomainStaysInTheGuestUntilTheNextFilter() {
        seed();
        s.ok(p + "assign_control_domain", "6");
        s.ok(p + "assign_control_domain", "5");
        Kvm g = attach();
        assertThat(g.adm()).isEqualTo(ApMask.of(5, 6));
        s.d.hardware().removeControlDomain(6);
        s.d.apBus().forceRescan();
        assertThat(s.read("/bus/ap/ap_control_domain_mask")).isEqualTo(mask(4, 5, 0x47, 0x54) + "\n");
        assertThat(g.adm()).isEqualTo(ApMask.of(5, 6));
        assertThat(s.read(p + "control_domains")).isEqualTo("0005\n0006\n");
        s.ok(p + "assign_control_domain", "0x47");
        assertThat(g.adm()).isEqualTo(ApMask.of(5, 0x47));
    }

    // ------------------------------------------------------------------ remove resets and unlinks

    @Test
    void removingAnMdevFreesItsApqnsForOthers() {
        seed();
        String v = s.create();
        s.fails(s.mdev(v) + "ap_config", apConfig(mask(4), mask(4), mask()), Errno.EADDRINUSE);
        s.ok(p + "remove", "1");
        s.ok(s.mdev(v) + "ap_config", apConfig(mask(4, 5), mask(4, 0x47, 0x54), mask()));
        assertThat(s.read(s.mdev(v) + "guest_matrix")).isEqualTo("04.0004\n04.0047\n04.0054\n");
        s.fails("/bus/ap/apmask", "+5", Errno.EBUSY); // V holds 05.* now
    }
}
