/**
 * Uevents on netlink: every uevent the simulated kernel sends is also multicast on
 * {@code NETLINK_KOBJECT_UEVENT} group 1 of a private network namespace (the one of
 * {@code scripts/apsysfs shell}), where an unmodified systemd-udevd, {@code udevadm monitor}
 * and libudev listeners receive it as from a kernel.
 *
 * <p>Kernel counterpart: {@code kobject_uevent_net_broadcast} in lib/kobject_uevent.c. A
 * user-space process cannot multicast as the kernel (sd-device drops group-1 messages whose
 * sender port id is not 0), so the messages take the kernel's own injection path for
 * containers, {@code uevent_net_rcv_skb}/{@code uevent_net_broadcast} in the same file: a
 * message sent to the kernel (port id 0) on a {@code NETLINK_KOBJECT_UEVENT} socket whose
 * opener has CAP_SYS_ADMIN in the user namespace owning the socket's network namespace is
 * multicast by the kernel on group 1 of that namespace only, with port id 0, credentials of
 * that namespace's root and {@code SEQNUM=} of the host's uevent counter appended.
 *
 * <p>The socket must be created inside the private namespace: a helper there
 * ({@code apsysfs netlink-attach SOCKET}, {@link Sockets#attach}) creates it and hands it to the
 * daemon over a UNIX socket ({@code SCM_RIGHTS}); the daemon ({@link AttachServer}) sends on it
 * from then on and stops when the helper's connection closes. A socket of the daemon's own
 * network namespace is refused, so nothing reaches the host's listeners.
 *
 * <p>Locking: {@link UeventNetlink} sends from {@link org.apsysfs.kernel.Uevents}'s listener,
 * under that object's monitor (so messages leave in seqnum order); its sink list is a
 * copy-on-write list. It uses only {@code kernel} (Uevents, KernelLog) and {@code sysfs}
 * (its control file); {@code cli} wires it to a mount.
 */
package org.apsysfs.netlink;
