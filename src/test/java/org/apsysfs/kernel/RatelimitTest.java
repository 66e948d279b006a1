package org.apsysfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Ratelimit} against {@code ___ratelimit} and {@code ratelimit_end_interval} (lib/ratelimit.c). */
class RatelimitTest {
    final ManualClock clock = new ManualClock();
    final KernelLog log = new KernelLog(clock);
    final Ratelimit rs = new Ratelimit("apq_reset_check");

    int allowed(int calls, long stepMs) {
        int n = 0;
        for (int i = 0; i < calls; i++) {
            if (rs.allow(clock, log)) {
                n++;
            }
            clock.sleepMillis(stepMs);
        }
        return n;
    }

    @Test
    void tenPerFiveSecondsThenTheSuppressedCountAtKernWarning() {
        // DEFAULT_RATELIMIT_BURST calls pass in one DEFAULT_RATELIMIT_INTERVAL, the rest are missed
        assertThat(allowed(100, 20)).isEqualTo(10);
        assertThat(log.lines()).isEmpty();
        clock.sleepMillis(5000); // 7 s after the first call: the interval has passed
        assertThat(rs.allow(clock, log)).isTrue();
        List<String> lines = log.lines();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).endsWith("] apq_reset_check: 90 callbacks suppressed");
        // a new interval began: nine more pass, then suppressed again, no second message yet
        assertThat(allowed(20, 1)).isEqualTo(9);
        assertThat(log.lines()).hasSize(1);
    }

    @Test
    void exactlyAtTheIntervalIsStillTheOldInterval() {
        assertThat(allowed(10, 0)).isEqualTo(10);
        clock.sleepMillis(5000); // time_is_before_jiffies(begin + interval) is false at begin + interval
        assertThat(rs.allow(clock, log)).isFalse();
        clock.sleepMillis(10); // one jiffy later (s390 defconfig: HZ=100)
        assertThat(rs.allow(clock, log)).isTrue();
        assertThat(log.lines()).singleElement().asString().endsWith("apq_reset_check: 1 callbacks suppressed");
    }

    @Test
    void noMessageWhenNothingWasSuppressed() {
        assertThat(allowed(3, 0)).isEqualTo(3);
        clock.sleepMillis(6000);
        assertThat(rs.allow(clock, log)).isTrue();
        assertThat(log.lines()).isEmpty();
    }
}
