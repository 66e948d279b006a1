package org.apsysfs.testing;

import java.util.List;
import org.apsysfs.locking.Lockdep;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Lockdep in every test: registered for all tests through the service file
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit.jupiter.extensions.autodetection.enabled=true}. A test during which the lock
 * validator ({@link Lockdep}) made a report — a possible circular dependency, recursive
 * locking, or a hung-task wait — fails with the report text, unless it is annotated
 * {@link ExpectLockdepReport}. Reports made outside any test (in {@code @BeforeAll}/
 * {@code @AfterAll}, or by a background thread between tests) fail the class.
 */
public final class LockdepExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LockdepExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("classStart", Lockdep.get().reportCount());
        context.getStore(NS).put("allowed", new int[1]);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("testStart", Lockdep.get().reportCount());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Integer start = context.getStore(NS).remove("testStart", Integer.class);
        if (start == null) {
            return;
        }
        int now = Lockdep.get().reportCount();
        int grew = now - start;
        ExpectLockdepReport expect = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, ExpectLockdepReport.class)).orElse(null);
        allow(context, grew);
        if (expect != null) {
            if (grew < expect.atLeast()) {
                throw new AssertionError("@ExpectLockdepReport: expected at least " + expect.atLeast()
                        + " lock validator report(s), got " + grew);
            }
            return;
        }
        if (grew > 0) {
            throw new AssertionError(describe(grew, start, "during the test"));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Integer start = context.getStore(NS).get("classStart", Integer.class);
        int[] allowed = context.getStore(NS).get("allowed", int[].class);
        if (start == null || allowed == null) {
            return;
        }
        int grew = Lockdep.get().reportCount() - start - allowed[0];
        if (grew > 0) {
            throw new AssertionError(describe(grew, Lockdep.get().reportCount() - grew,
                    "outside the tests of the class (class set-up/tear-down or a background thread)"));
        }
    }

    /** Reports made during a test are judged there; the enclosing classes do not count them again. */
    private static void allow(ExtensionContext context, int n) {
        for (ExtensionContext c = context.getParent().orElse(null); c != null; c = c.getParent().orElse(null)) {
            int[] allowed = c.getStore(NS).get("allowed", int[].class);
            if (allowed != null) {
                allowed[0] += n;
            }
        }
    }

    private static String describe(int n, int from, String where) {
        List<String> all = Lockdep.get().reports();
        StringBuilder sb = new StringBuilder("the lock validator made ").append(n).append(" report(s) ").append(where)
                .append(" (annotate with @ExpectLockdepReport if provoked on purpose):\n");
        for (int i = Math.max(0, from); i < all.size(); i++) {
            sb.append(all.get(i)).append('\n');
        }
        return sb.toString();
    }
}
