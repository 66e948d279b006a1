package org.apsysfs.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApHardwareTest {
    private static final int Q_05_0004 = Apqn.of(5, 4);
    private ManualClock clock;
    private ApHardware hw;

    @BeforeEach
    void setUp() {
        clock = new ManualClock();
        hw = new ApHardware(MachineSpec.builtin("default"), clock);
    }

    @Test
    void qciOfTheDefaultMachine() {
        Qci q = hw.qci().orElseThrow();
        assertThat(q.features()).isEqualTo("APSC APXA QACT RC8A");
        assertThat(q.maxAdapterId()).isEqualTo(255);
        assertThat(q.maxDomainId()).isEqualTo(84);
        assertThat(q.apm().ids()).containsExactly(4, 5, 6, 11);
        assertThat(q.aqm().ids()).containsExactly(4, 5, 0x47, 0x54);
        assertThat(q.adm().ids()).containsExactly(4, 5, 6, 0x47, 0x54);
        assertThat(q.apm().format()).isEqualTo("0x0e10" + "0".repeat(60));
    }

    @Test
    void tapqNormalWithInfo() {
        TapqResult r = hw.tapq(Q_05_0004, true);
        assertThat(r.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(r.status().queueEmpty()).isTrue();
        assertThat(r.status().irqEnabled()).isFalse();
        assertThat(r.info().apType()).isEqualTo(14);
        assertThat(r.info().functions()).isEqualTo(0x92000000);
        assertThat(r.info().mode()).isEqualTo(ApMode.CCA);
        assertThat(r.info().qd()).isEqualTo(7);
        assertThat(r.info().domains()).isEqualTo(84);
        assertThat(TapqInfo.ofValue(r.info().value())).isEqualTo(r.info());
        assertThat(hw.tapq(Q_05_0004, false).info()).isNull();
        assertThat(hw.tapq(Apqn.of(6, 4), true).info().functions()).isEqualTo(0xEA000000);
        assertThat(hw.tapq(Apqn.of(0x0b, 0x54), true).info().functions()).isEqualTo(0x86000000);
    }

    @Test
    void tapqOutsideConfigurationIsQNotAvail() {
        assertThat(hw.tapq(Apqn.of(7, 4), true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);   // no adapter 7
        assertThat(hw.tapq(Apqn.of(5, 6), true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);   // control domain only
        assertThat(hw.tapq(Apqn.of(5, 0x55), true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL); // above Nd
        assertThat(hw.tapq(Apqn.of(7, 4), true).info()).isNull();
        assertThat(hw.zapq(Apqn.of(5, 6)).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);
        assertThat(hw.aqic(Apqn.of(5, 6), true, 3, 0x1000).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);
    }

    @Test
    void asynchronousResetCompletesOnTheClock() {
        hw.setResetLatencyNanos(30_000_000L);
        ApQueueStatus z = hw.zapq(Q_05_0004);
        assertThat(z.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        assertThat(hw.tapq(Q_05_0004, true).info()).isNotNull();
        assertThat(hw.queueInfo(Q_05_0004).resetInProgress()).isTrue();
        // a second reset while one runs does not restart it
        assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        assertThat(hw.rapq(Q_05_0004).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        clock.advanceMillis(20);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        clock.advanceMillis(10);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.queueInfo(Q_05_0004).resetInProgress()).isFalse();
        // other queues were never affected
        assertThat(hw.tapq(Apqn.of(5, 5), true).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void zeroLatencyResetIsImmediate() {
        hw.setResetLatencyNanos(0);
        assertThat(hw.rapq(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void defaultLatencyFromTheMachineFile() {
        hw.zapq(Q_05_0004);
        assertThat(hw.tapq(Q_05_0004, false).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        clock.advanceNanos(MachineSpec.DEFAULT_RESET_LATENCY_NANOS);
        assertThat(hw.tapq(Q_05_0004, false).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void aqicEnableDisableAndZapqClearsRegistration() {
        ApQueueStatus e = hw.aqic(Q_05_0004, true, 3, 0x2000);
        assertThat(e.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(e.irqEnabled()).isTrue();
        assertThat(hw.tapq(Q_05_0004, false).status().irqEnabled()).isTrue();
        QueueInfo qi = hw.queueInfo(Q_05_0004);
        assertThat(qi.isc()).isEqualTo(3);
        assertThat(qi.nibAddress()).isEqualTo(0x2000);
        assertThat(hw.aqic(Q_05_0004, true, 3, 0x2000).rc()).isEqualTo(ApRc.OTHERWISE_CHANGED);

        hw.setResetLatencyNanos(0);
        assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.tapq(Q_05_0004, false).status().irqEnabled()).isFalse();
        assertThat(hw.queueInfo(Q_05_0004).nibAddress()).isZero();

        assertThat(hw.aqic(Q_05_0004, true, 2, 0).rc()).isEqualTo(ApRc.INVALID_ADDRESS);
        assertThat(hw.aqic(Q_05_0004, true, 2, 0x3000).rc()).isEqualTo(ApRc.NORMAL);
        ApQueueStatus d = hw.aqic(Q_05_0004, false, 0, 0);
        assertThat(d.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(d.irqEnabled()).isFalse();
        assertThat(hw.aqic(Q_05_0004, false, 0, 0).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void aqicDuringResetAnswersResetInProgress() {
        hw.zapq(Q_05_0004);
        assertThat(hw.aqic(Q_05_0004, true, 3, 0x2000).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
    }

    @Test
    void sclpDeconfigureAndCheckstop() {
        hw.aqic(Q_05_0004, true, 3, 0x2000);
        hw.sclpConfigure(5, false);
        TapqResult t = hw.tapq(Q_05_0004, true);
        assertThat(t.rc()).isEqualTo(ApRc.DECONFIGURED);
        assertThat(t.info()).isNotNull();
        assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.DECONFIGURED);
        assertThat(hw.adapter(5).configured()).isFalse();
        hw.sclpConfigure(5, true);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.queueInfo(Q_05_0004).irqEnabled()).isFalse();

        hw.setCheckstop(6, true);
        assertThat(hw.tapq(Apqn.of(6, 4), true).rc()).isEqualTo(ApRc.CHECKSTOPPED);
        assertThat(hw.aqic(Apqn.of(6, 4), true, 1, 8).rc()).isEqualTo(ApRc.CHECKSTOPPED);
        assertThat(hw.adapter(6).checkstopped()).isTrue();
        hw.setCheckstop(6, false);
        assertThat(hw.tapq(Apqn.of(6, 4), true).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void deconfiguredTakesPrecedenceOverCheckstop() {
        hw.setCheckstop(5, true);
        hw.sclpConfigure(5, false);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.DECONFIGURED);
    }

    @Test
    void sclpErrors() {
        hw.injectSclpError(4, Errno.EIO);
        assertThatThrownBy(() -> hw.sclpConfigure(4, false)).isInstanceOfSatisfying(KernelException.class,
                k -> assertThat(k.errno()).isEqualTo(Errno.EIO));
        assertThat(hw.adapter(4).configured()).isTrue();
        hw.injectSclpError(4, null);
        hw.sclpConfigure(4, false);
        assertThat(hw.adapter(4).configured()).isFalse();

        ApHardware noSclp = new ApHardware(MachineSpec.parse(
                "{\"sclp\": false, \"adapters\": [{\"id\": 1, \"model\": \"CEX7A\"}], \"usageDomains\": [1]}", "t"),
                clock);
        assertThatThrownBy(() -> noSclp.sclpConfigure(1, false)).isInstanceOfSatisfying(KernelException.class,
                k -> assertThat(k.errno()).isEqualTo(Errno.EOPNOTSUPP));
    }

    @Test
    void hostConfigurationChanges() {
        hw.removeAdapter(5);
        assertThat(hw.qci().orElseThrow().apm().test(5)).isFalse();
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);
        assertThat(hw.adapter(5).inConfiguration()).isFalse();
        hw.addAdapter(5);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);

        hw.removeUsageDomain(4);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);
        hw.addUsageDomain(4);
        hw.addUsageDomain(0x20);
        assertThat(hw.tapq(Apqn.of(5, 0x20), true).rc()).isEqualTo(ApRc.NORMAL);
        hw.addControlDomain(0x30);
        hw.removeControlDomain(6);
        assertThat(hw.qci().orElseThrow().adm().ids()).containsExactly(4, 5, 0x30, 0x47, 0x54);
        assertThatThrownBy(() -> hw.addUsageDomain(85)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hw.addAdapter(7)).isInstanceOf(IllegalArgumentException.class);

        hw.addAdapter(AdapterSpec.defaults(7, ApModel.parse("CEX7P"), true, 84));
        TapqResult t = hw.tapq(Apqn.of(7, 4), true);
        assertThat(t.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(t.info().apType()).isEqualTo(13);
        assertThat(hw.installedAdapters().ids()).containsExactly(4, 5, 6, 7, 11);
    }

    @Test
    void injectedFaultsForNCallsOrUntilCleared() {
        hw.injectFault(Q_05_0004, ApInstruction.TAPQ, ApRc.BUSY, 2);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.BUSY);
        assertThat(hw.tapq(Q_05_0004, true).info()).isNotNull();
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);

        hw.injectFault(Q_05_0004, ApInstruction.ZAPQ, ApRc.CHECKSTOPPED, -1);
        for (int i = 0; i < 5; i++) {
            assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.CHECKSTOPPED);
        }
        // the faulted ZAPQ did nothing
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);
        // RAPQ is not affected by a ZAPQ fault
        hw.setResetLatencyNanos(0);
        assertThat(hw.rapq(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        hw.clearFaults(Q_05_0004);
        assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);

        hw.injectFault(Q_05_0004, ApInstruction.AQIC, ApRc.INVALID_GISA, 1);
        assertThat(hw.aqic(Q_05_0004, true, 1, 0x100).rc()).isEqualTo(ApRc.INVALID_GISA);
        assertThat(hw.queueInfo(Q_05_0004).irqEnabled()).isFalse();
        assertThat(hw.aqic(Q_05_0004, true, 1, 0x100).rc()).isEqualTo(ApRc.NORMAL);

        hw.injectFault(Q_05_0004, ApInstruction.TAPQ, ApRc.DECONFIGURED, -1);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.DECONFIGURED);
        hw.clearAllFaults();
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.NORMAL);

        assertThatThrownBy(() -> hw.injectFault(Q_05_0004, ApInstruction.TAPQ, ApRc.BUSY, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void faultsDoNotApplyOutsideTheConfiguration() {
        hw.injectFault(Apqn.of(5, 6), ApInstruction.TAPQ, ApRc.BUSY, -1);
        assertThat(hw.tapq(Apqn.of(5, 6), true).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);
    }

    @Test
    void injectedResetDuration() {
        hw.injectResetDuration(Q_05_0004, Long.MAX_VALUE);
        assertThat(hw.zapq(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        clock.advanceMillis(3_600_000);
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        hw.clearFaults(Q_05_0004);
        // an already running reset keeps its end time
        assertThat(hw.tapq(Q_05_0004, true).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);

        int q = Apqn.of(4, 0x47);
        hw.injectResetDuration(q, 100_000_000L);
        hw.rapq(q);
        clock.advanceMillis(99);
        assertThat(hw.tapq(q, false).rc()).isEqualTo(ApRc.RESET_IN_PROGRESS);
        clock.advanceMillis(1);
        assertThat(hw.tapq(q, false).rc()).isEqualTo(ApRc.NORMAL);
    }

    @Test
    void qactMapsNewerTypes() {
        MachineSpec s = MachineSpec.parse("""
                {"features": ["APSC", "APXA", "QACT"], "maxAdapterId": 255, "maxDomainId": 255,
                 "adapters": [{"id": 1, "model": "CEX8C", "rawType": 15},
                              {"id": 2, "model": "CEX8A", "rawType": 16, "compatType": 0},
                              {"id": 3, "model": "CEX6P"}],
                 "usageDomains": [0]}""", "t");
        ApHardware h = new ApHardware(s, clock);
        assertThat(h.tapq(Apqn.of(1, 0), true).info().apType()).isEqualTo(15);
        QactResult r = h.qact(Apqn.of(1, 0), ApMode.CCA, 14);
        assertThat(r.rc()).isEqualTo(ApRc.NORMAL);
        assertThat(r.compatibleType()).isEqualTo(14);
        assertThat(h.qact(Apqn.of(1, 0), ApMode.CCA, 13).compatibleType()).isEqualTo(13);
        assertThat(h.qact(Apqn.of(1, 0), ApMode.EP11, 14).compatibleType()).isZero();
        assertThat(h.qact(Apqn.of(2, 0), ApMode.ACCEL, 14).compatibleType()).isZero();
        assertThat(h.qact(Apqn.of(3, 0), ApMode.EP11, 14).compatibleType()).isEqualTo(12);
        assertThat(h.qact(Apqn.of(9, 0), ApMode.CCA, 14).rc()).isEqualTo(ApRc.Q_NOT_AVAIL);

        ApHardware noQact = new ApHardware(MachineSpec.parse(
                "{\"features\": [\"APXA\"], \"adapters\": [{\"id\": 1, \"model\": \"CEX8C\"}], \"usageDomains\": [0]}",
                "t"), clock);
        assertThat(noQact.qact(Apqn.of(1, 0), ApMode.CCA, 14).rc()).isEqualTo(ApRc.REQ_FAC_NOT_INST);
    }

    @Test
    void machineWithoutQci() {
        ApHardware h = new ApHardware(MachineSpec.parse(
                "{\"qci\": false, \"adapters\": [{\"id\": 2, \"model\": \"CEX5C\"}], \"usageDomains\": [3]}", "t"),
                clock);
        assertThat(h.qci()).isEmpty();
        assertThat(h.maxAdapterId()).isEqualTo(63);
        assertThat(h.maxDomainId()).isEqualTo(15);
        assertThat(h.tapq(Apqn.of(2, 3), true).info().apType()).isEqualTo(11);
        assertThat(h.tapq(Apqn.of(2, 3), true).info().functions()).isEqualTo(0x90000000);
    }

    @Test
    void nqapCountsRequests() {
        assertThat(hw.nqap(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.nqap(Q_05_0004).rc()).isEqualTo(ApRc.NORMAL);
        assertThat(hw.queueInfo(Q_05_0004).requestCount()).isEqualTo(2);
        hw.sclpConfigure(5, false);
        assertThat(hw.nqap(Q_05_0004).rc()).isEqualTo(ApRc.DECONFIGURED);
        assertThat(hw.queueInfo(Q_05_0004).requestCount()).isEqualTo(2);
    }

    @Test
    void adapterPropertiesAndMkvps() {
        AdapterInfo cca = hw.adapter(4);
        assertThat(cca.spec().model().typeName()).isEqualTo("CEX8C");
        assertThat(cca.spec().serial()).hasSize(8);
        assertThat(cca.spec().ep11()).isNull();
        AdapterInfo ep11 = hw.adapter(0x0b);
        assertThat(ep11.spec().mode()).isEqualTo(ApMode.EP11);
        assertThat(ep11.spec().serial()).hasSize(16);
        assertThat(ep11.spec().ep11()).isNotNull();
        assertThat(hw.adapter(6).spec().serial()).isEmpty();
        assertThat(hw.adapter(7)).isNull();

        var m = hw.mkvps(Apqn.of(4, 4));
        assertThat(m.keySet()).containsExactly("AES NEW", "AES CUR", "AES OLD", "APKA NEW", "APKA CUR",
                "APKA OLD", "ASYM NEW", "ASYM CUR", "ASYM OLD");
        assertThat(m.get("AES CUR")).matches("valid 0x[0-9a-f]{16}");
        assertThat(m.get("AES NEW")).isEqualTo("empty 0x0000000000000000");
        assertThat(hw.mkvps(Apqn.of(4, 5)).get("AES CUR")).isNotEqualTo(m.get("AES CUR"));
        assertThat(hw.mkvps(Apqn.of(4, 4))).isEqualTo(m);
        var wk = hw.mkvps(Apqn.of(0x0b, 4));
        assertThat(wk.keySet()).containsExactly("WK CUR", "WK NEW");
        assertThat(wk.get("WK CUR")).matches("valid 0x[0-9a-f]{64}");
        assertThat(wk.get("WK NEW")).isEqualTo("empty -");
        assertThat(hw.mkvps(Apqn.of(6, 4))).isEmpty();
    }

    @Test
    void statusWordLayout() {
        ApQueueStatus s = new ApQueueStatus(true, false, false, false, true, ApRc.BUSY);
        assertThat(s.word()).isEqualTo(0x81050000);
        assertThat(ApQueueStatus.of(ApRc.INVALID_DOMAIN).word()).isEqualTo(0x00420000);
        assertThat(ApRc.of(0x0a)).isEqualTo(ApRc.STATE_CHANGE_IN_PROGRESS);
        assertThat(ApRc.parse("busy")).isEqualTo(ApRc.BUSY);
        assertThat(ApRc.parse("0x35")).isEqualTo(ApRc.ASSOC_SECRET_NOT_UNIQUE);
    }

    @Test
    void fullMachineScansQuickly() {
        ApHardware full = new ApHardware(MachineSpec.builtin("full"), clock);
        Qci q = full.qci().orElseThrow();
        assertThat(q.apm().isFull()).isTrue();
        assertThat(q.aqm().isFull()).isTrue();
        int normal = 0;
        for (int apid = 0; apid <= 255; apid++) {
            for (int apqi = 0; apqi <= 255; apqi++) {
                if (full.tapq(Apqn.of(apid, apqi), true).rc() == ApRc.NORMAL) {
                    normal++;
                }
            }
        }
        assertThat(normal).isEqualTo(65536);
        assertThat(full.adapter(0x40).spec().mode()).isEqualTo(ApMode.ACCEL);
        assertThat(full.adapter(0x80).spec().mode()).isEqualTo(ApMode.EP11);
    }
}
