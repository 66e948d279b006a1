/**
 * The live page: {@code apsysfs run --http 127.0.0.1:PORT} serves the matrix picture as an
 * HTML page that follows the state (server-sent events), with the last kernel log lines and
 * uevents beside it.
 *
 * <p>Kernel counterpart: none (a window onto the simulated kernel, like debugfs). Lock: none of
 * the kernel's; the page reads the tree through {@link org.apsysfs.live.KernfsView} (kernfs's own
 * read path, as a reader of the mount would) and the kernel log and uevent list through their
 * snapshot accessors. May use: {@code picture}, {@code sysfs}, {@code kernel}, {@code state},
 * and the JDK's {@code com.sun.net.httpserver}. Binds to loopback addresses only.
 */
package org.apsysfs.live;
