/**
 * The {@code apsysfs} command line (picocli): {@code run DIR [OPTIONS]} mounts a simulated
 * system and serves it until unmounted or signalled, and the daemon's log set-up. The launcher
 * script {@code scripts/apsysfs} is the user's entry point and calls it.
 *
 * <p>No kernel counterpart. May use {@code fuse}, {@code state}, {@code kernel}; never the
 * model packages directly.
 */
package org.apsysfs.cli;
