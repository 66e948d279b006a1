package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apsysfs.hardware.ApRc;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KVM guest with a vfio_ap mdev, in-process on a manual clock: what the guest's CRYCB holds
 * after every kind of change (vfio_ap_ops.c vfio_ap_mdev_filter_matrix,
 * vfio_ap_mdev_update_guest_apcb, vfio_ap_mdev_set_kvm/unset_kvm, vfio_ap_mdev_probe_queue/
 * remove_queue, status_show), and the guest's PQAP (handle_pqap, vfio_ap_irq_enable).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuestTest {
    static final String Z = "0x" + "0".repeat(64);

    Sim s;
    String u;

    /** A 64-digit mask with these ids set, as the apm/aqm/adm files print it. */
    static String mask(int... ids) {
        org.apsysfs.hardware.ApMask m = org.apsysfs.hardware.ApMask.empty();
        for (int i : ids) {
            m = m.with(i);
        }
        return m.format() + "\n";
    }

    @BeforeEach
    void setUp() {
        s = Sim.vfio();
        u = s.mdevWith(new String[] {"4", "5"}, new String[] {"4", "47"});
        s.mdevWrite(u, "assign_control_domain", "6");
        s.guest("g1");
    }

    boolean hazardExpected;

    @AfterEach
    void noHazards() {
        if (!hazardExpected) {
            assertThat(s.hazards()).as("hazards").isEmpty();
        }
    }

    void assertCrycb(String guest, String apqns, int[] apm, int[] aqm, int[] adm) {
        assertThat(s.guestRead(guest, "apqns")).as("apqns").isEqualTo(apqns);
        assertThat(s.guestRead(guest, "apm")).as("apm").isEqualTo(mask(apm));
        assertThat(s.guestRead(guest, "aqm")).as("aqm").isEqualTo(mask(aqm));
        assertThat(s.guestRead(guest, "adm")).as("adm").isEqualTo(mask(adm));
    }

    static int[] ids(int... i) {
        return i;
    }

    @Test
    void hotPlugAndUnplugThroughEveryKindOfChange() {
        assertThat(s.guestRead("g1", "apm")).isEqualTo(Z + "\n");
        s.attach("g1", u);
        assertCrycb("g1", "04.0004\n04.0047\n05.0004\n05.0047\n", ids(4, 5), ids(4, 0x47), ids(6));
        long signals = s.d.guests().get("g1").cfgChangeSignals();

        // assign: hot plug adapter 6
        s.mdevWrite(u, "assign_adapter", "6");
        assertCrycb("g1", "04.0004\n04.0047\n05.0004\n05.0047\n06.0004\n06.0047\n", ids(4, 5, 6), ids(4, 0x47), ids(6));
        assertThat(s.d.guests().get("g1").cfgChangeSignals()).isGreaterThan(signals);
        // assign a domain the host does not have (over-provisioning): matrix yes, guest no
        s.mdevWrite(u, "assign_domain", "0x10");
        assertThat(s.mdevRead(u, "matrix")).contains("04.0010");
        assertCrycb("g1", "04.0004\n04.0047\n05.0004\n05.0047\n06.0004\n06.0047\n", ids(4, 5, 6), ids(4, 0x47), ids(6));
        // a control domain outside the host's ADM is not passed through
        s.mdevWrite(u, "assign_control_domain", "0x30");
        assertThat(s.guestRead("g1", "adm")).isEqualTo(mask(6));
        s.mdevWrite(u, "assign_control_domain", "5");
        assertThat(s.guestRead("g1", "adm")).isEqualTo(mask(5, 6));

        // unassign: hot unplug
        s.mdevWrite(u, "unassign_adapter", "4");
        assertCrycb("g1", "05.0004\n05.0047\n06.0004\n06.0047\n", ids(5, 6), ids(4, 0x47), ids(5, 6));
        s.mdevWrite(u, "unassign_domain", "4");
        assertCrycb("g1", "05.0047\n06.0047\n", ids(5, 6), ids(0x47), ids(5, 6));
        s.mdevWrite(u, "unassign_control_domain", "5");
        assertThat(s.guestRead("g1", "adm")).isEqualTo(mask(6));

        // unbind a queue in the guest: its whole adapter goes
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0047\n");
        assertCrycb("g1", "06.0047\n", ids(6), ids(0x47), ids(6));
        assertThat(s.mdevRead(u, "guest_matrix")).isEqualTo("06.0047\n");
        // bind it again: probe filters, adapter 5 comes back
        s.ok("/bus/ap/drivers/vfio_ap/bind", "05.0047\n");
        assertCrycb("g1", "05.0047\n06.0047\n", ids(5, 6), ids(0x47), ids(6));

        // host configuration: adapter 6 leaves, comes back
        s.d.hardware().removeAdapter(6);
        s.d.apBus().forceRescan();
        assertCrycb("g1", "05.0047\n", ids(5), ids(0x47), ids(6));
        s.d.hardware().addAdapter(6);
        s.d.apBus().forceRescan();
        assertCrycb("g1", "05.0047\n06.0047\n", ids(5, 6), ids(0x47), ids(6));
        // domain 0x47, the only domain in the guest, leaves the host: the shadow loses it, but
        // upstream's vfio_ap_mdev_hot_unplug_cfg updates the guest only if a shadow mask is
        // still non-empty afterwards (bitmap_andnot's result), so the guest keeps 0x47 (a
        // domain the host no longer has) until the next update
        s.d.hardware().removeUsageDomain(0x47);
        s.d.apBus().forceRescan();
        assertThat(s.mdevRead(u, "guest_matrix")).isEqualTo("05.\n06.\n");
        assertThat(s.guestRead("g1", "aqm")).isEqualTo(mask(0x47));
        s.d.hardware().addUsageDomain(0x47);
        s.d.apBus().forceRescan();
        assertCrycb("g1", "05.0047\n06.0047\n", ids(5, 6), ids(0x47), ids(6));
        // the host gets domain 0x10, which was assigned all along: it appears in the guest
        s.d.hardware().addUsageDomain(0x10);
        s.d.apBus().forceRescan();
        assertCrycb("g1", "05.0010\n05.0047\n06.0010\n06.0047\n", ids(5, 6), ids(0x10, 0x47), ids(6));

        // ap_config replaces everything at once
        s.ok(s.mdevPath(u) + "/ap_config", mask(4).strip() + "," + mask(5).strip() + "," + mask(4).strip() + "\n");
        assertCrycb("g1", "04.0005\n", ids(4), ids(5), ids(4));

        // mask writes: taking queues from vfio_ap that the mdev holds is refused...
        s.fails("/bus/ap/apmask", "+4\n", Errno.EBUSY);
        // ...giving the host an unassigned adapter is fine and leaves the guest alone
        s.ok("/bus/ap/apmask", "+6\n");
        assertCrycb("g1", "04.0005\n", ids(4), ids(5), ids(4));

        s.detach("g1", u);
        assertCrycb("g1", "", ids(), ids(), ids());
    }

    @Test
    void queueStatusIsInUseExactlyForTheShadowOfAnAttachedMdev() {
        assertThat(s.queueStatus("05.0047")).isEqualTo("assigned\n");
        assertThat(s.queueStatus("06.0047")).isEqualTo("unassigned\n");
        s.attach("g1", u);
        for (String q : new String[] {"04.0004", "04.0047", "05.0004", "05.0047"}) {
            assertThat(s.queueStatus(q)).as(q).isEqualTo("in use\n");
        }
        assertThat(s.queueStatus("04.0005")).isEqualTo("unassigned\n");
        // adapter 5 filtered out of the shadow (05.0005 not bound): its queues are assigned only
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0005\n");
        s.mdevWrite(u, "assign_domain", "5");
        assertThat(s.mdevRead(u, "guest_matrix")).isEqualTo("04.0004\n04.0005\n04.0047\n");
        assertThat(s.queueStatus("05.0047")).isEqualTo("assigned\n");
        assertThat(s.queueStatus("04.0005")).isEqualTo("in use\n");
        s.detach("g1", u);
        assertThat(s.queueStatus("04.0005")).isEqualTo("assigned\n");
    }

    @Test
    void aSecondVfioApMdevForTheSameGuestIsRefusedWithEperm() {
        s.attach("g1", u);
        String v = s.mdevWith(new String[] {"6"}, new String[] {"5"});
        Kvm g1 = s.d.guests().get("g1");
        assertThatThrownBy(() -> s.mdev(v).vfioDevice().open(g1, true)).isInstanceOf(KernelException.class)
                .satisfies(e -> assertThat(((KernelException) e).errno()).isEqualTo(Errno.EPERM));
        assertThat(s.mdev(v).vfioDevice().isOpen()).isFalse();
        assertThat(s.mdev(v).kvm()).isNull();
        // the guest keeps the first mdev's configuration
        assertThat(s.guestRead("g1", "apqns")).isEqualTo("04.0004\n04.0047\n05.0004\n05.0047\n");
        assertThat(s.queueStatus("06.0005")).isEqualTo("assigned\n");
        // upstream quirk (vfio_ap_mdev_set_kvm installs the hook before the sharing check): the refused mdev's PQAP hook stays installed, so the guest's
        // AQIC now reaches an mdev that is not attached and answers Q_NOT_AVAIL
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x01");
        // through the control file: the same EPERM
        assertThat(s.guestWrite("g1", "attach", v)).isEqualTo(Errno.EPERM);
        assertThat(s.guestWrite("g1", "attach", u)).isEqualTo(Errno.EBUSY);
        s.detach("g1", u);
    }

    @Test
    void aGuestWithoutCrycbAttachesButNeverUsesQueues() {
        s.guest("plain", "nocrycb");
        s.attach("plain", u);
        assertThat(s.guestRead("plain", "status")).contains("crycb: no").contains("mdev: " + u);
        assertThat(s.guestRead("plain", "apqns")).isEmpty();
        assertThat(s.mdev(u).kvm()).isNull();
        for (String q : new String[] {"04.0004", "05.0047"}) {
            assertThat(s.queueStatus(q)).isEqualTo("assigned\n");
        }
        s.mdevWrite(u, "assign_adapter", "6");
        assertThat(s.queueStatus("06.0047")).isEqualTo("assigned\n");
        assertThat(s.guestRead("plain", "apqns")).isEmpty();
        assertThat(s.guestWrite("plain", "pqap", "tapq 05.0047")).isEqualTo(Errno.EOPNOTSUPP);
        // the same mdev can't be opened twice, but another guest may use another mdev
        s.detach("plain", u);
        s.attach("g1", u);
        assertThat(s.queueStatus("06.0047")).isEqualTo("in use\n");
        s.detach("g1", u);
    }

    @Test
    void detachClearsTheMasksAndResetsTheQueues() {
        s.attach("g1", u);
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        assertThat(s.pqap("g1", "aqic 04.0004 enable 2 0x20000")).contains("rc=0x00");
        assertThat(s.guestRead("g1", "status")).contains("pinned_pages: 2").contains("gisc: 0 0 1 1 0 0 0 0");
        assertThat(s.d.hardware().queueInfo(0x0547).irqEnabled()).isTrue();
        // slow resets so that the verification is visible
        s.ok(SysfsPaths.FAULTS, "reset_delay 05.0047 200\n");
        long t0 = s.clock.nanoTime();
        s.detach("g1", u);
        assertThat(s.clock.nanoTime() - t0).as("waited for the verification").isGreaterThanOrEqualTo(200_000_000L);
        assertThat(s.dmesg()).contains("vfio_ap: Waited 20ms for reset of queue 05.0047 (2, 1, 1)");
        assertThat(s.guestRead("g1", "apqns")).isEmpty();
        assertThat(s.guestRead("g1", "apm")).isEqualTo(Z + "\n");
        assertThat(s.guestRead("g1", "adm")).isEqualTo(Z + "\n");
        assertThat(s.guestRead("g1", "status")).contains("mdev: -").contains("pinned_pages: 0").contains("gisc: 0 0 0 0 0 0 0 0");
        for (int apqn : new int[] {0x0404, 0x0447, 0x0504, 0x0547}) {
            assertThat(s.d.hardware().queueInfo(apqn).irqEnabled()).isFalse();
            assertThat(s.d.hardware().queueInfo(apqn).resetInProgress()).isFalse();
        }
        assertThat(s.queueStatus("05.0047")).isEqualTo("assigned\n");
    }

    @Test
    void guestTapq() {
        s.attach("g1", u);
        assertThat(s.pqap("g1", "tapq 05.0047")).startsWith("tapq 05.0047: cc=0 rc=0x00 NORMAL").contains("functions=0x");
        assertThat(s.pqap("g1", "tapq 06.0047")).startsWith("tapq 06.0047: cc=3 rc=0x01 Q_NOT_AVAIL");
        assertThat(s.pqap("g1", "tapq 04.0005")).contains("rc=0x01");
        s.mdevWrite(u, "assign_adapter", "6");
        assertThat(s.pqap("g1", "tapq 06.0047")).contains("rc=0x00");
        s.mdevWrite(u, "unassign_adapter", "6");
        assertThat(s.pqap("g1", "tapq 06.0047")).contains("rc=0x01");
        s.detach("g1", u);
        assertThat(s.pqap("g1", "tapq 05.0047")).contains("rc=0x01");
    }

    @Test
    void guestAqicEnableAndDisable() {
        s.attach("g1", u);
        Kvm g1 = s.d.guests().get("g1");
        // NIB 0
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0")).contains("rc=0x06 INVALID_ADDRESS");
        // NIB outside guest memory (1 GiB)
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x40000000")).contains("rc=0x06");
        assertThat(g1.pinnedPages()).isZero();
        assertThat(g1.giscCount(3)).isZero();
        // APQN not linked to the mdev
        assertThat(s.pqap("g1", "aqic 06.0047 enable 3 0x10000")).contains("rc=0x01 Q_NOT_AVAIL");
        // success: the NIB page is pinned and the ISC registered
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10008")).contains("cc=0 rc=0x00 NORMAL irq_enabled=1");
        assertThat(g1.isPinned(0x10008)).isTrue();
        assertThat(g1.pinnedPages()).isEqualTo(1);
        assertThat(g1.giscCount(3)).isEqualTo(1);
        assertThat(s.d.hardware().queueInfo(0x0547).nibAddress()).isEqualTo(Kvm.hostAddress(0x10008));
        assertThat(s.guestRead("g1", "status")).contains("pinned_pages: 1").contains("gisc: 0 0 0 1 0 0 0 0");
        // enabled again: the hardware answers OTHERWISE_CHANGED, nothing more is pinned
        assertThat(s.pqap("g1", "aqic 05.0047 enable 5 0x30000")).contains("rc=0x07 OTHERWISE_CHANGED");
        assertThat(g1.pinnedPages()).isEqualTo(1);
        assertThat(g1.giscCount(5)).isZero();
        assertThat(g1.giscCount(3)).isEqualTo(1);
        // NQAP now posts to a pinned NIB: no hazard
        assertThat(s.pqap("g1", "nqap 05.0047")).contains("rc=0x00").contains("interrupt posted");
        // disable releases
        assertThat(s.pqap("g1", "aqic 05.0047 disable")).contains("rc=0x00").contains("irq_enabled=0");
        assertThat(g1.pinnedPages()).isZero();
        assertThat(g1.giscCount(3)).isZero();
        assertThat(s.d.hardware().queueInfo(0x0547).irqEnabled()).isFalse();
        // disable again is harmless
        assertThat(s.pqap("g1", "aqic 05.0047 disable")).contains("rc=0x00");
        s.detach("g1", u);
    }

    @Test
    void aqicWithoutGisaOrWithAPrivateNibOfAProtectedGuest() {
        s.guest("nogisa", "nogisa");
        s.attach("nogisa", u);
        assertThat(s.pqap("nogisa", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x06");
        assertThat(s.d.guests().get("nogisa").pinnedPages()).isZero();
        s.detach("nogisa", u);

        Kvm pv = s.guest("pv", "protected", "mem=0x100000");
        s.attach("pv", u);
        assertThat(s.pqap("pv", "aqic 05.0047 enable 3 0x20000")).as("outside 1 MiB").contains("rc=0x06");
        assertThat(s.pqap("pv", "aqic 05.0047 enable 3 0x10000")).as("not shared").contains("rc=0x06");
        assertThat(pv.pinnedPages()).isZero();
        pv.share(0x10000);
        assertThat(s.pqap("pv", "aqic 05.0047 enable 3 0x10010")).contains("rc=0x00");
        assertThat(pv.pinnedPages()).isEqualTo(1);
        s.detach("pv", u);
        assertThat(pv.pinnedPages()).isZero();
        assertThat(pv.giscCount(3)).isZero();
    }

    @Test
    void destroyingAGuestWithAnOpenMdevIsRefused() {
        s.attach("g1", u);
        s.fails(SysfsPaths.GUESTS + "destroy", "g1\n", Errno.EBUSY);
        s.detach("g1", u);
        s.ok(SysfsPaths.GUESTS + "destroy", "g1\n");
        assertThat(s.d.guests().get("g1")).isNull();
    }

    @Test
    void removeOfAnAttachedMdevSendsRequestsUntilTheGuestLetsGo() throws Exception {
        s.attach("g1", u);
        VfioDevice.requestIntervalMillis = 30;
        try {
            Thread remover = new Thread(() -> s.mdevWrite(u, "remove", "1"), "remover");
            remover.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (s.mdev(u).vfioDevice().requestsSent() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(remover.isAlive()).as("remove blocks while the mdev is open").isTrue();
            // the request cleared the guest's masks
            assertThat(s.guestRead("g1", "apqns")).isEmpty();
            assertThat(s.dmesg()).contains("vfio_ap_mdev " + u + ": Relaying device request to user (#0)");
            // remove took its own file away at once (device_remove_file_self), as did device_del the
            // vfio_ap files: a second remove finds no file
            assertThat(s.write(s.mdevPath(u) + "/remove", "1\n")).as("a second remove").isEqualTo(Errno.ENOENT);
            s.detach("g1", u);
            remover.join(10_000);
            assertThat(remover.isAlive()).isFalse();
            assertThat(s.mdev(u)).isNull();
            assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("65536\n");
        } finally {
            VfioDevice.requestIntervalMillis = 10_000;
        }
    }

    @Test
    void aqicFailuresOfTheHardware() {
        s.attach("g1", u);
        Kvm g1 = s.d.guests().get("g1");
        s.ok(SysfsPaths.FAULTS, "aqic 05.0047 BUSY 1\n");
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x05 BUSY");
        assertThat(s.dmesg()).contains("vfio_ap: vfio_ap_irq_enable: apqn 0547: response: 05");
        assertThat(g1.pinnedPages()).isZero();
        assertThat(g1.giscCount(3)).isZero();
        s.ok(SysfsPaths.FAULTS, "aqic 05.0047 OTHERWISE_CHANGED 1\n");
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x07");
        assertThat(g1.pinnedPages()).isZero();
        assertThat(g1.giscCount(3)).isZero();
        // BUSY while disabling: retried every 20 ms, then it works
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        s.ok(SysfsPaths.FAULTS, "aqic 05.0047 BUSY 3\n");
        long t0 = s.clock.nanoTime();
        assertThat(s.pqap("g1", "aqic 05.0047 disable")).contains("rc=0x00");
        assertThat(s.clock.nanoTime() - t0).isEqualTo(60_000_000L);
        assertThat(g1.pinnedPages()).isZero();
        assertThat(s.d.hardware().queueInfo(0x0547).irqEnabled()).isFalse();
        s.detach("g1", u);
        assertThat(ApRc.NORMAL.code()).isZero();
    }

    /**
     * A deliberate hazard: the hardware answers the disabling AQIC with Q_NOT_AVAIL but keeps
     * interrupts enabled (an injected lie). vfio_ap, like the kernel, WARNs and releases the NIB
     * anyway; the checker records that the adapter may now post to an unpinned page, and a
     * later NQAP whose reply would post there is recorded too.
     */
    @Test
    void aNibReleasedWhileTheHardwareStillHasInterruptsIsAHazard() {
        s.attach("g1", u);
        Kvm g1 = s.d.guests().get("g1");
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        s.ok(SysfsPaths.FAULTS, "aqic 05.0047 Q_NOT_AVAIL 1\n");
        s.pqap("g1", "aqic 05.0047 disable");
        assertThat(s.dmesg()).contains("vfio_ap_irq_disable: ap_aqic status 1");
        assertThat(g1.pinnedPages()).isZero();
        assertThat(s.d.hardware().queueInfo(0x0547).irqEnabled()).isTrue();
        assertThat(s.hazards()).isEqualTo("unpin: queue 05.0047 may post an interrupt to NIB 0x10000 of guest g1, which is not pinned\n");
        assertThat(s.pqap("g1", "nqap 05.0047")).contains("interrupt posted");
        assertThat(s.hazards()).endsWith("reply: queue 05.0047 may post an interrupt to NIB 0x10000 of guest g1, which is not pinned\n");
        hazardExpected = true;
        s.detach("g1", u);
        assertThat(s.d.hardware().queueInfo(0x0547).irqEnabled()).isFalse();
    }
}
