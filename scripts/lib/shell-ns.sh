#!/usr/bin/env bash
# The first process of the private namespaces made by "scripts/apsysfs shell" (PID 1 of a
# new PID namespace, inside a new mount namespace with private propagation). Not meant to
# be run by hand.
#
#   shell-ns.sh TREE STAGE [COMMAND...]
#
# TREE   the FUSE mount serving the simulated sysfs root; bound over /sys.
# STAGE  an empty directory; a tmpfs is mounted on it (in this namespace only) to hold the
#        private copies of /etc/mdevctl.d, /etc/udev/rules.d and /run/lock.
# Runs COMMAND (or an interactive shell) as a child and exits with its status. When this
# process exits the kernel kills everything else in the PID namespace, so the mount
# namespace, and with it the bind of TREE, ends with the command.
set -euo pipefail

tree=$1
stage=$2
shift 2

fail() {
    printf 'apsysfs shell: %s\n' "$*" >&2
    exit 1
}

# Our PID as the daemon sees it (the host's /proc is still mounted here): the daemon makes
# the simulated kernel's device nodes in our private /dev through /proc/PID/root/dev.
read -r host_pid _ </proc/self/stat

# Programs started in here (libvirtd, udevadm) are our children: a fresh /proc shows them
# and only them.
mount -t proc proc /proc 2>/dev/null || fail "cannot mount /proc in the new PID namespace"

mount -t tmpfs -o mode=0755,size=16m apsysfs-shell "$stage" || fail "cannot mount a tmpfs on $stage"

# --- live system (scripts/lib/live.sh), part 1: the daemon's netlink attach socket, bound
# into the stage before any private copy (a private /run would hide it)
# shellcheck source-path=SCRIPTDIR source=live.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/live.sh"
export APSYSFS_SHELL_STAGE=$stage
live_sock=$(live_netlink_socket "$tree")
if [ -n "$live_sock" ] && [ -S "$live_sock" ]; then
    : >"$stage/uevent.sock"
    mount --bind -- "$live_sock" "$stage/uevent.sock" || live_sock=
elif [ -n "$live_sock" ]; then
    live_say "the daemon's netlink attach socket $live_sock is missing"
    live_sock=
else
    live_say "the daemon of $tree accepts no netlink sockets (started without --uevent-socket): no uevents reach this shell's netlink"
fi
# --- end of live system, part 1

# private_copy DIR: a writable copy of DIR (its contents copied) mounted over DIR.
private_copy() {
    local d=$1 s
    [ -d "$d" ] || return 0
    s=$stage/${d//\//_}
    mkdir -p -- "$s"
    # -x: not the contents of other file systems mounted below DIR
    cp -ax -- "$d/." "$s/" 2>/dev/null || true
    chmod --reference="$d" -- "$s"
    # in a user's shell (a user namespace) the host's root is not mapped: the copy stays ours
    chown --reference="$d" -- "$s" 2>/dev/null || [ -n "${APSYSFS_SHELL_USERNS:-}" ] \
        || fail "cannot give the private copy of $d its owner"
    mount --bind -- "$s" "$d" || fail "cannot mount a private copy over $d"
}
# Extra directories asked for with "shell --private DIR" (one per line), first, so that a
# private /run still gets the private /run/lock below.
while IFS= read -r extra; do
    [ -n "$extra" ] || continue
    [ -d "$extra" ] || fail "--private $extra: no such directory"
    private_copy "$extra"
done <<<"${APSYSFS_SHELL_PRIVATE:-}"
unset APSYSFS_SHELL_PRIVATE
private_copy /etc/mdevctl.d
private_copy /etc/udev/rules.d
# --- live system: udevd needs a private /run/udev; a host without one (no udev running)
# gets a private copy of /run to make it in, instead of a new directory in the host's /run
if [ ! -d /run/udev ] && [ "${APSYSFS_SHELL_UDEVD:-1}" = 1 ]; then
    private_copy /run
    mkdir -p /run/udev
fi
# --- end of live system
private_copy /run/lock
# The udev database of the host describes the host's devices, not the simulated ones.
private_copy /run/udev

# --- live system, part 2: the persistent configuration directories of "shell --etc DIR"
# (one "HOSTDIR=PERSISTENTDIR" per line) replace the private copies made above
while IFS= read -r pair; do
    [ -n "$pair" ] || continue
    mkdir -p -- "${pair%%=*}" 2>/dev/null || true
    mount --bind -- "${pair#*=}" "${pair%%=*}" || fail "cannot bind ${pair#*=} over ${pair%%=*}"
done <<<"${APSYSFS_SHELL_ETC:-}"
unset APSYSFS_SHELL_ETC
# --- end of live system, part 2

# A private /dev, as devtmpfs would show the simulated kernel's devices: a copy of the host's
# nodes (so /dev/null, /dev/tty, ... work) on the stage tmpfs, with the host's /dev/pts,
# /dev/shm, /dev/mqueue and /dev/hugepages bound in again. The daemon adds /dev/z90crypt and
# the zcrypt nodes of class/zcrypt/create (below, once the tree is /sys). APSYSFS_SHELL_DEV=0
# keeps the host's /dev.
private_dev=0
if [ "${APSYSFS_SHELL_DEV:-1}" = 1 ]; then
    mkdir -p -- "$stage/dev.host"
    mount --rbind /dev "$stage/dev.host" || fail "cannot bind /dev into $stage"
    private_copy /dev
    for sub in pts shm mqueue hugepages; do
        if mountpoint -q "$stage/dev.host/$sub"; then
            mkdir -p "/dev/$sub"
            mount --rbind -- "$stage/dev.host/$sub" "/dev/$sub" || fail "cannot bind /dev/$sub"
        fi
    done
    umount -l "$stage/dev.host" 2>/dev/null || true
    private_dev=1
fi
unset APSYSFS_SHELL_DEV

# Last, so that nothing above is affected: the simulated tree at /sys.
mount --bind -- "$tree" /sys || fail "cannot bind $tree over /sys"
[ -r /sys/bus/ap/bindings ] || fail "/sys/bus/ap/bindings is not readable after binding $tree over /sys"

# The simulated devtmpfs: the daemon makes and removes the nodes in our /dev from now on.
if [ "$private_dev" = 1 ] && [ -e /sys/kernel/debug/apsysfs/devtmpfs ]; then
    if ! msg=$( { printf '%s\n' "$host_pid" >/sys/kernel/debug/apsysfs/devtmpfs; } 2>&1); then
        printf 'apsysfs shell: no simulated device nodes in /dev (%s; see kernel/debug/apsysfs/dmesg)\n' \
            "${msg##*: }" >&2
        private_dev=0
    fi
fi

export APSYSFS_SHELL=$tree
# libudev (udevadm, libvirt) refuses a /sys that is not sysfs unless told not to check.
export SYSTEMD_DEVICE_VERIFY_SYSFS=0
# s390-tools take their root from SYSFS_ROOT; here the tree is at the default place.
unset SYSFS_ROOT

# --- live system, part 3: uevents into this network namespace, systemd-udevd, coldplug
ip link set lo up 2>/dev/null || true
if [ -n "$live_sock" ]; then
    read -r -a live_java <<<"${APSYSFS_SHELL_JAVA:-java -jar $(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../target/apsysfs.jar}"
    live_attach "$stage" "$stage/uevent.sock" "${live_java[@]}" || live_sock=
fi
if [ "${APSYSFS_SHELL_UDEVD:-1}" = 1 ]; then
    if [ -z "$live_sock" ]; then
        live_say "not starting systemd-udevd: it would receive no uevents"
    elif udevd_start; then
        udevd_coldplug || live_say "coldplug (udevadm trigger; udevadm settle) failed"
    fi
fi
unset APSYSFS_SHELL_JAVA APSYSFS_SHELL_UDEVD
# --- end of live system, part 3

if [ $# -eq 0 ]; then
    sh=${SHELL:-/bin/bash}
    case ${sh##*/} in
        bash)
            rc=$stage/bashrc
            # shellcheck disable=SC2016  # expanded by the interactive shell
            printf '%s\n' '[ -f ~/.bashrc ] && . ~/.bashrc' 'PS1="(apsysfs) ${PS1:-\$ }"' >"$rc"
            set -- "$sh" --rcfile "$rc" -i ;;
        *)
            export PS1="(apsysfs) ${PS1:-\$ }"
            set -- "$sh" -i ;;
    esac
fi

# A child, not exec: PID 1 ignores signals it has no handler for, so the command must not
# be PID 1 (Ctrl-C, kill and "timeout" then behave as usual).
set +e
"$@"
rc=$?
udevd_stop # --- live system: udevd ends before the namespace does, without a crash report
[ "$private_dev" = 0 ] || printf -- '-%s\n' "$host_pid" >/sys/kernel/debug/apsysfs/devtmpfs 2>/dev/null || true
exit $rc
