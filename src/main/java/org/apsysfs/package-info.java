/**
 * The simulated kernel as a whole: {@link org.apsysfs.Kernel} (its clock, log, uevents and
 * the sysfs root with {@code bus/}, {@code class/}, {@code devices/}, {@code kernel/},
 * {@code module/}) and {@link org.apsysfs.Daemon}, which boots the subsystems into it in the
 * order a real boot loads them (AP bus, zcrypt, mdev, vfio_ap) and adds the simulator's
 * control files.
 *
 * <p>Kernel counterpart: {@code init/main.c} and the module init calls. May use every model
 * package; nothing below it uses this package except through {@code Kernel}. Lock order of the
 * whole system: see {@link org.apsysfs.locking}.
 */
package org.apsysfs;
