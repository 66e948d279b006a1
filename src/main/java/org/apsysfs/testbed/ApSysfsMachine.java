package org.apsysfs.testbed;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Asks for a private simulated system for one test: on a parameter of type {@link java.nio.file.Path}
 * (the tree's root, used like {@code /sys}) or {@link Testbed}. Unmounted after the test, also
 * when it fails.
 *
 * <pre>{@code
 * @Test
 * void freesAnAdapter(@ApSysfsMachine("default") Path sys) throws IOException {
 *     Files.writeString(sys.resolve("bus/ap/apmask"), "-5\n");
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER})
@ExtendWith(ApSysfsExtension.class)
public @interface ApSysfsMachine {
    /** A built-in machine ({@code default}, {@code full}) or a machine file. */
    String value() default "default";

    /** A state file to start from (and keep the state in); empty: a fresh machine. */
    String state() default "";
}
