package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Queue reset (vfio_ap_ops.c vfio_ap_mdev_reset_queue, apq_reset_check, reset_queues_for_apqns) on a virtual clock that watches every 20 ms sleep: ZAPQ, then TAPQ
 * every 20 ms; the response-code table; injected answers; every place a reset is triggered;
 * and that a queue's interrupt resources (pinned NIB, GISC registration) go only after the
 * hardware has finished the reset.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResetTest {
    static final int Q = 0x0547;
    static final long NIB = 0x10000;

    /** A manual clock that runs a check at every simulated sleep. */
    static final class WatchingClock implements Clock {
        final AtomicLong nanos = new AtomicLong();
        volatile Consumer<Long> onSleep = ms -> { };
        final List<Long> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        @Override
        public long wallMillis() {
            return 1_700_000_000_000L + nanos.get() / 1_000_000L;
        }

        @Override
        public void sleepMillis(long millis) {
            nanos.addAndGet(millis * 1_000_000L);
            synchronized (sleeps) {
                sleeps.add(millis);
            }
            onSleep.accept(millis);
        }
    }

    WatchingClock clock;
    Sim s;
    String u;
    Kvm g1;
    final List<String> violations = new ArrayList<>();
    boolean hazardExpected;

    @BeforeEach
    void setUp() {
        clock = new WatchingClock();
        s = Sim.vfio(clock);
        u = s.mdevWith(new String[] {"4", "5"}, new String[] {"4", "47"});
        g1 = s.guest("g1");
        s.attach("g1", u);
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        assertThat(g1.isPinned(NIB)).isTrue();
        // at every sleep: while the hardware may still post to the NIB, the page must be pinned
        clock.onSleep = ms -> {
            var qi = s.d.hardware().queueInfo(Q);
            if (qi.irqEnabled() && qi.nibAddress() == Kvm.hostAddress(NIB) && !g1.isPinned(NIB)) {
                violations.add("at " + clock.nanoTime() / 1_000_000 + " ms the NIB was unpinned with interrupts on");
            }
        };
    }

    @AfterEach
    void noHazards() {
        assertThat(violations).isEmpty();
        if (!hazardExpected) {
            assertThat(s.hazards()).as("hazards").isEmpty();
        }
    }

    void released() {
        assertThat(g1.pinnedPages()).as("pinned pages").isZero();
        assertThat(g1.giscCount(3)).as("GISC registrations of ISC 3").isZero();
        assertThat(s.guestRead("g1", "status")).contains("pinned_pages: 0").contains("gisc: 0 0 0 0 0 0 0 0");
        assertThat(s.d.hardware().queueInfo(Q).irqEnabled()).isFalse();
    }

    void stillHeld() {
        assertThat(g1.pinnedPages()).isEqualTo(1);
        assertThat(g1.giscCount(3)).isEqualTo(1);
    }

    void fault(String line) {
        s.ok(SysfsPaths.FAULTS, line + "\n");
    }

    Errno vfioReset() {
        return s.guestWrite("g1", "reset", "1");
    }

    @Test
    void zapqThenTapqEvery20msUntilTheResetIsDoneThenTheResourcesGo() {
        fault("reset_delay 05.0047 2500");
        synchronized (clock.sleeps) {
            clock.sleeps.clear();
        }
        long t0 = s.now();
        assertThat(vfioReset()).isNull();
        long waited = s.now() - t0;
        assertThat(waited).isGreaterThanOrEqualTo(2_500_000_000L);
        synchronized (clock.sleeps) {
            assertThat(clock.sleeps).allMatch(ms -> ms == 20);
        }
        String log = s.dmesg();
        // pr_notice_ratelimited in apq_reset_check: DEFAULT_RATELIMIT_BURST (10) notices in the
        // first DEFAULT_RATELIMIT_INTERVAL (5 s), i.e. the first ten 20 ms polls, then silence
        for (int ms = 20; ms <= 200; ms += 20) {
            assertThat(log).contains("vfio_ap: Waited " + ms + "ms for reset of queue 05.0047 (2, 1, 1)");
        }
        assertThat(log).doesNotContain("Waited 220ms").doesNotContain("Waited 1020ms")
                .doesNotContain("callbacks suppressed").doesNotContain("WARNING");
        released();
        // the queue stays usable in the guest: the reset ended NORMAL
        assertThat(s.guestRead("g1", "apqns")).contains("05.0047");
        assertThat(s.pqap("g1", "tapq 05.0047")).contains("rc=0x00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESET_IN_PROGRESS", "BUSY", "STATE_CHANGE_IN_PROGRESS"})
    void zapqAnsweringInProgressIsVerifiedAndReissued(String rc) {
        // the injected answer does not reset anything: only the re-issued ZAPQ does
        fault("zapq 05.0047 " + rc + " 1");
        assertThat(vfioReset()).isNull();
        assertThat(s.dmesg()).doesNotContain("WARNING");
        released();
    }

    @Test
    void zapqOfADeconfiguredAdapterFreesAtOnceAndMakesVfioResetFail() {
        s.d.hardware().sclpConfigure(5, false);
        long t0 = s.now();
        assertThat(vfioReset()).isEqualTo(Errno.EIO);
        released();
        // a reset that ends in DECONFIGURED leaves the queue passable (apq_reset_check counts
        // AP_RESPONSE_DECONFIGURED/CHECKSTOPPED as done): the guest keeps them
        assertThat(s.guestRead("g1", "apqns")).contains("05.0047");
        assertThat(s.dmesg()).doesNotContain("WARNING");
        // only adapter 4's queues needed a verification; verifications run concurrently (one
        // workqueue item each), so they share one 20 ms poll
        assertThat(s.now() - t0).as("only adapter 4's queues were verified").isEqualTo(20_000_000L);
    }

    @Test
    void zapqOfACheckstoppedAdapterFreesAtOnce() {
        s.d.hardware().setCheckstop(5, true);
        assertThat(vfioReset()).isEqualTo(Errno.EIO);
        released();
        assertThat(s.dmesg()).doesNotContain("WARNING");
    }

    @Test
    void zapqWithAnInvalidResponseCodeWarnsAndKeepsTheResources() {
        fault("zapq 05.0047 Q_NOT_AVAIL 1");
        assertThat(vfioReset()).isEqualTo(Errno.EIO);
        assertThat(s.dmesg()).contains("------------[ cut here ]------------\n")
                .contains("WARNING: PQAP/ZAPQ for 05.0047 failed with invalid rc=1");
        stillHeld();
        // a later reset that works releases them
        assertThat(vfioReset()).isNull();
        released();
    }

    @Test
    void tapqAnswersDuringTheVerification() {
        fault("tapq 05.0047 BUSY 3");
        assertThat(vfioReset()).isNull();
        assertThat(s.dmesg()).contains("vfio_ap: Waited 20ms for reset of queue 05.0047 (5, 0, 0)");
        released();

        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        fault("tapq 05.0047 ASSOC_SECRET_NOT_UNIQUE 1");
        assertThat(vfioReset()).isNull();
        released();

        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        fault("tapq 05.0047 CHECKSTOPPED 1");
        assertThat(vfioReset()).isNull();
        released();

        // an unexpected TAPQ answer ends the verification with a WARN; the stored ZAPQ status
        // (NORMAL) stays, so VFIO reset succeeds, but the resources are not released
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        fault("reset_delay 05.0047 100");
        fault("tapq 05.0047 Q_NOT_AVAIL 1");
        assertThat(vfioReset()).isNull();
        assertThat(s.dmesg()).contains("WARNING: failed to verify reset of queue 05.0047: TAPQ rc=1");
        stillHeld();
        fault("clear 05.0047");
        s.detach("g1", u);
        released();
    }

    /**
     * Deliberate hazard: ZAPQ answers DECONFIGURED (injected) although the adapter is still
     * configured and interrupts stay on; vfio_ap trusts the answer and frees the NIB at once.
     */
    @Test
    void anInjectedDeconfiguredAnswerWhileInterruptsStayOnIsCaughtAsAHazard() {
        fault("zapq 05.0047 DECONFIGURED 1");
        assertThat(vfioReset()).isEqualTo(Errno.EIO);
        assertThat(g1.pinnedPages()).isZero();
        assertThat(s.hazards()).isEqualTo("unpin: queue 05.0047 may post an interrupt to NIB 0x10000 of guest g1, which is not pinned\n");
        hazardExpected = true;
        violations.clear(); // the same condition, seen by the clock watcher as well
    }

    @Test
    void theSuppressedWaitsAreCountedWhenTheFiveSecondIntervalEnds() {
        fault("reset_delay 05.0047 2500");
        assertThat(vfioReset()).isNull();
        fault("reset_delay 05.0047 4000");
        assertThat(vfioReset()).isNull();
        String log = s.dmesg();
        // ___ratelimit: the second reset crosses the end of the first 5 s interval;
        // ratelimit_end_interval logs the missed count once, at KERN_WARNING, then ten more pass
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\] apq_reset_check: (\\d+) callbacks suppressed\n").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        int missed = Integer.parseInt(m.group(1));
        long busyPollsBefore = log.substring(0, m.start()).lines().filter(l -> l.contains("Waited")).count();
        assertThat(busyPollsBefore).isEqualTo(10);
        // the first reset alone polled BUSY about 2500 / 20 times; only ten were printed
        assertThat(missed).isGreaterThan(2500 / QueueReset.AP_RESET_INTERVAL - 10 - 2);
        assertThat(m.find()).as("one message per ended interval").isFalse();
        long after = log.substring(log.indexOf("callbacks suppressed")).lines().filter(l -> l.contains("Waited")).count();
        assertThat(after).isEqualTo(10);
        hazardExpected = true;
        violations.clear();
    }

    // ------------------------------------------------------------------ where resets happen

    /** Runs {@code trigger} with a slow reset of 05.0047 and checks that it was reset and verified. */
    void resetBy(String what, Runnable trigger) {
        fault("reset_delay 05.0047 100");
        int before = count(s.dmesg(), "Waited 20ms for reset of queue 05.0047");
        trigger.run();
        assertThat(count(s.dmesg(), "Waited 20ms for reset of queue 05.0047")).as(what + ": 05.0047 reset and verified")
                .isEqualTo(before + 1);
        released();
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void resetOnVfioResetAndDetach() {
        resetBy("VFIO reset", () -> assertThat(vfioReset()).isNull());
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        resetBy("detach", () -> s.detach("g1", u));
    }

    @Test
    void resetOnUnassignAdapterAndDomain() {
        resetBy("unassign_adapter", () -> s.mdevWrite(u, "unassign_adapter", "5"));
        s.mdevWrite(u, "assign_adapter", "5");
        assertThat(s.pqap("g1", "aqic 05.0047 enable 3 0x10000")).contains("rc=0x00");
        resetBy("unassign_domain", () -> s.mdevWrite(u, "unassign_domain", "0x47"));
    }

    @Test
    void resetOnApConfigRemoval() {
        String cfg = s.mdevRead(u, "ap_config");
        String noAdapter5 = GuestTest.mask(4).strip() + cfg.substring(cfg.indexOf(','));
        resetBy("ap_config", () -> s.ok(s.mdevPath(u) + "/ap_config", noAdapter5));
        assertThat(s.guestRead("g1", "apqns")).isEqualTo("04.0004\n04.0047\n");
    }

    @Test
    void resetWhenFilteringDropsTheAdapter() {
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0005\n");
        resetBy("filtering", () -> s.mdevWrite(u, "assign_domain", "5"));
        assertThat(s.mdevRead(u, "guest_matrix")).isEqualTo("04.0004\n04.0005\n04.0047\n");
    }

    @Test
    void resetOnUnbindOfAQueueOfTheGuestsAdapter() {
        resetBy("unbind 05.0004", () -> s.ok("/bus/ap/drivers/vfio_ap/unbind", "05.0004\n"));
        assertThat(s.guestRead("g1", "apqns")).isEqualTo("04.0004\n04.0047\n");
    }

    @Test
    void resetOnMdevRemoveAndOnRemovalOfAQueueNoMdevHas() {
        s.detach("g1", u);
        released();
        // queue of no mdev, in the host configuration: reset when it leaves vfio_ap
        fault("reset_delay 06.0047 100");
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "06.0047\n");
        assertThat(s.dmesg()).contains("Waited 20ms for reset of queue 06.0047");
        // mdev remove resets its queues
        fault("reset_delay 05.0047 100");
        s.mdevWrite(u, "remove", "1");
        assertThat(s.dmesg()).contains("Waited 20ms for reset of queue 05.0047");
    }

    @Test
    void noResetForAQueueThatLeftTheHostConfiguration() {
        // adapter 5 leaves the host: its queues are gone (nothing to reset, ZAPQ would answer
        // Q_NOT_AVAIL); the guest loses the adapter
        int warnings = count(s.dmesg(), "WARNING");
        s.d.hardware().removeAdapter(5);
        s.d.apBus().forceRescan();
        assertThat(s.guestRead("g1", "apqns")).isEqualTo("04.0004\n04.0047\n");
        assertThat(count(s.dmesg(), "WARNING")).isEqualTo(warnings);
    }
}
