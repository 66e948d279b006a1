/**
 * A test bed for other projects, in the manner of umockdev: {@link org.apsysfs.testbed.Testbed}
 * starts a private simulated system (a fresh machine, or one restored from a state file) mounted
 * on a temporary directory for the length of a test, and
 * {@link org.apsysfs.testbed.ApSysfsMachine} with {@link org.apsysfs.testbed.ApSysfsExtension}
 * lets a JUnit 5 test declare {@code @ApSysfsMachine("default") Path sys}. See README.md here.
 *
 * <p>Kernel counterpart: none (what boots and mounts a system, like {@code cli.RunCommand}).
 * Lock: none of its own; everything runs through the mounted tree. May use: the top-level
 * {@code Daemon}, {@code state}, {@code fuse}, and JUnit 5's extension API (a {@code provided}
 * dependency: the project that uses the extension brings its own JUnit).
 */
package org.apsysfs.testbed;
