package org.apsysfs.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test provokes lock-validator reports on purpose (with lock classes of its own), so
 * {@link LockdepExtension} lets them pass. It then requires at least {@link #atLeast()} new
 * reports, so a test that no longer provokes what it claims to fails too.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD})
public @interface ExpectLockdepReport {
    /** The fewest new reports the test must cause. */
    int atLeast() default 1;
}
