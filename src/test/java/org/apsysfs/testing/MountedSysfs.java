package org.apsysfs.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mounts a simulated sysfs over FUSE for the annotated test class (one mount shared by all its
 * tests) or test method (a fresh mount for that test), and always unmounts it afterwards.
 *
 * <p>The tree is {@code Daemon.create("default")}'s unless the class has a method annotated
 * {@link SysfsTree} returning a {@code Kernfs}, {@code Daemon} or {@code Kernel}. Tests and
 * lifecycle methods receive the mount by parameter: {@link SysfsMount}, {@code Path} (the
 * mount point), {@code Kernfs}, {@code Daemon}, {@code Kernel}, {@code SysfsFuse},
 * {@code FuseMount}.
 *
 * <pre>
 * &#64;MountedSysfs
 * class ApBusTest {
 *     &#64;Test
 *     void apmask(Path mnt, Kernel kernel) {
 *         SysfsAssert.assertThat(mnt).file("bus/ap/apmask").hasMode(0644);
 *     }
 * }
 * </pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(MountExtension.class)
public @interface MountedSysfs {
    /** On a class: give every test its own mount (and tree) instead of one per class. */
    boolean perTest() default false;

    /** Mount with {@code allow_other,default_permissions} (other users may enter). */
    boolean allowOther() default false;

    /** Serve requests on one thread (FUSE {@code -s}). */
    boolean singleThreaded() default false;
}
