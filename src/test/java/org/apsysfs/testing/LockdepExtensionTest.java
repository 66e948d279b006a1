package org.apsysfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.locking.Locks;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The automatically registered {@link LockdepExtension}: it fails tests the validator complains about. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockdepExtensionTest {
    static volatile boolean launching;

    private static TestExecutionSummary launch(Class<?> fixture) {
        launching = true;
        try {
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(), listener);
            return listener.getSummary();
        } finally {
            launching = false;
        }
    }

    private static void inversion(String tag) {
        KMutex a = new KMutex(LockClass.of("ext-" + tag + "-A"));
        KMutex b = new KMutex(LockClass.of("ext-" + tag + "-B"));
        Locks.inOrder(a, b).close();
        Locks.inOrder(b, a).close();
    }

    static class Fixture {
        @Test
        void unannotatedInversion() {
            Assumptions.assumeTrue(launching);
            inversion("unannotated");
        }

        @Test
        @ExpectLockdepReport
        void annotatedInversion() {
            Assumptions.assumeTrue(launching);
            inversion("annotated");
        }

        @Test
        @ExpectLockdepReport
        void annotatedButNothingHappens() {
            Assumptions.assumeTrue(launching);
        }

        @Test
        void clean() {
            Assumptions.assumeTrue(launching);
            KMutex a = new KMutex(LockClass.of("ext-clean-A"));
            a.lock().close();
        }
    }

    @Test
    @ExpectLockdepReport(atLeast = 2)
    void failsExactlyTheTestsWithUnexpectedOrMissingReports() {
        TestExecutionSummary s = launch(Fixture.class);
        assertThat(s.getTestsStartedCount()).isEqualTo(4);
        assertThat(s.getTestsSucceededCount()).isEqualTo(2);
        assertThat(s.getFailures()).extracting(f -> f.getTestIdentifier().getDisplayName())
                .containsExactlyInAnyOrder("unannotatedInversion()", "annotatedButNothingHappens()");
        String unannotated = s.getFailures().stream()
                .filter(f -> f.getTestIdentifier().getDisplayName().equals("unannotatedInversion()"))
                .findFirst().orElseThrow().getException().getMessage();
        assertThat(unannotated).contains("the lock validator made 1 report(s) during the test")
                .contains("possible circular locking dependency detected").contains("ext-unannotated-B --> ext-unannotated-A");
        String missing = s.getFailures().stream()
                .filter(f -> f.getTestIdentifier().getDisplayName().equals("annotatedButNothingHappens()"))
                .findFirst().orElseThrow().getException().getMessage();
        assertThat(missing).contains("expected at least 1 lock validator report(s), got 0");
    }
}
