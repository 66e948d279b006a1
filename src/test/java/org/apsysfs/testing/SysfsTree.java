package org.apsysfs.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the no-argument method that builds the tree a {@link MountedSysfs} test mounts. It
 * returns a {@code Kernfs}, a {@code Daemon} or a {@code Kernel}. It must be static for a
 * per-class mount; for per-test mounts it may be an instance method (called on the test
 * instance, so it can keep handles to the objects it created in fields).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SysfsTree {
}
