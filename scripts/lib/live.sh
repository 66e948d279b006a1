# shellcheck shell=bash
# The live system inside "scripts/apsysfs shell": uevents on netlink, systemd-udevd,
# coldplug and reboot. Sourced by scripts/lib/shell-ns.sh (inside the shell's namespaces)
# and by scripts/apsysfs (its "udevd" and "reboot" commands, run inside the shell).
#
# State of one shell lives in its stage directory (a tmpfs of the shell's mount namespace,
# $APSYSFS_SHELL_STAGE): netlink.out (the attach helper's answer), udevd.pid, udevd.log,
# udevd.stopping (set while udevd is stopped on purpose).

LIVE_UDEVD=${APSYSFS_UDEVD:-/lib/systemd/systemd-udevd}
LIVE_SETTLE_TIMEOUT=${APSYSFS_SETTLE_TIMEOUT:-60}

live_say() { printf 'apsysfs shell: %s\n' "$*" >&2; }

# live_netlink_socket TREE: the daemon's --uevent-socket, from its control file (nothing if
# it has none).
live_netlink_socket() {
    local first
    first=$(head -n 1 "$1/kernel/debug/apsysfs/netlink" 2>/dev/null) || return 0
    case $first in
        "socket -" | "") ;;
        "socket "*) printf '%s\n' "${first#socket }" ;;
    esac
}

# live_attach STAGE SOCKET JAVA...: starts the attach helper (JAVA... netlink-attach SOCKET)
# in the background in this network namespace and waits for the daemon's answer. From then
# on the daemon multicasts every uevent into this namespace, until the helper ends (with
# the shell: it runs in the shell's PID namespace).
live_attach() {
    local stage=$1 sock=$2 i line
    shift 2
    "$@" netlink-attach "$sock" --label "apsysfs shell $$" </dev/null >"$stage/netlink.out" 2>&1 &
    for ((i = 0; i < 300; i++)); do
        line=$(head -n 1 "$stage/netlink.out" 2>/dev/null || true)
        case $line in
            "ok "*) return 0 ;;
            ?*) live_say "uevents cannot be multicast into this shell: $line"; return 1 ;;
        esac
        sleep 0.05
    done
    live_say "the netlink attach helper did not answer in 15 s: $(cat "$stage/netlink.out" 2>/dev/null)"
    return 1
}

# udevd_pid: the pid of this shell's systemd-udevd, if it runs.
udevd_pid() {
    local pid
    pid=$(cat "$APSYSFS_SHELL_STAGE/udevd.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

# udevd_fix_rules: Debian's mdevctl 1.2.0 rule runs /usr/sbin/mdevctl, but the package
# installs /usr/bin/mdevctl; a copy of the rule with the installed path goes into the
# shell's private /run/udev/rules.d (which takes precedence over /usr/lib/udev/rules.d).
udevd_fix_rules() {
    local rule=/usr/lib/udev/rules.d/60-mdevctl.rules real
    [ -f "$rule" ] || return 0
    real=$(command -v mdevctl 2>/dev/null) || return 0
    if grep -q /usr/sbin/mdevctl "$rule" && [ ! -e /usr/sbin/mdevctl ]; then
        mkdir -p /run/udev/rules.d
        sed "s|/usr/sbin/mdevctl|$real|g" "$rule" >/run/udev/rules.d/60-mdevctl.rules
    fi
}

# udevd_start: starts systemd-udevd with an empty database (the private /run/udev is
# cleared) and waits until it answers on its control socket. It cannot load kernel modules
# (CAP_SYS_MODULE is dropped from its bounding set), logs to STAGE/udevd.log, and a watcher
# reports on stderr when it dies without udevd_stop.
udevd_start() {
    local stage=$APSYSFS_SHELL_STAGE i pid
    [ -x "$LIVE_UDEVD" ] || { live_say "$LIVE_UDEVD is not installed (Debian package udev)"; return 1; }
    if pid=$(udevd_pid); then
        live_say "systemd-udevd already runs (pid $pid)"
        return 0
    fi
    # only the shell's private copy of /run/udev is cleared
    mountpoint -q /run/udev 2>/dev/null || [ -n "${APSYSFS_SHELL_RUN_UDEV_PRIVATE:-}" ] \
        || { live_say "/run/udev is not private here; not starting systemd-udevd"; return 1; }
    find /run/udev -mindepth 1 -delete 2>/dev/null || true
    udevd_fix_rules
    rm -f -- "$stage/udevd.stopping" "$stage/udevd.pid"
    # The watcher reports on the shell's own stderr (that of the namespace's PID 1,
    # shell-ns.sh), never on the caller's: "scripts/apsysfs reboot | sed" must see its pipe
    # closed when the command ends, although udevd and the watcher live on.
    local report=/dev/null
    # (the shell mounts its own /proc: /proc/1 is shell-ns.sh)
    { : >>/proc/1/fd/2; } 2>/dev/null && report=/proc/1/fd/2
    (
        # the watcher: udevd's parent, so that it learns of its end
        SYSTEMD_LOG_TARGET=console setpriv --bounding-set=-sys_module -- "$LIVE_UDEVD" \
            </dev/null >>"$stage/udevd.log" 2>&1 &
        echo $! >"$stage/udevd.pid"
        rc=0
        wait $! 2>/dev/null || rc=$? # (no job report of bash: the line below says it)
        if [ ! -e "$stage/udevd.stopping" ]; then
            live_say "systemd-udevd (pid $(cat "$stage/udevd.pid")) died (exit status $rc): udev rules no longer run and libudev listeners get no events; the simulated kernel goes on. Its log: $stage/udevd.log. Start it again with: scripts/apsysfs udevd start"
        fi
    ) </dev/null >/dev/null 2>>"$report" &
    for ((i = 0; i < 100; i++)); do
        if [ -S /run/udev/control ] && udevadm control --ping 2>/dev/null; then
            return 0
        fi
        if [ -s "$stage/udevd.pid" ] && ! kill -0 "$(cat "$stage/udevd.pid")" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    live_say "systemd-udevd did not start; its log:"
    sed 's/^/  | /' "$stage/udevd.log" >&2 2>/dev/null || true
    return 1
}

# udevd_stop: stops this shell's systemd-udevd (SIGTERM, then SIGKILL after 10 s).
udevd_stop() {
    local pid i
    pid=$(udevd_pid) || return 0
    : >"$APSYSFS_SHELL_STAGE/udevd.stopping"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# udevd_coldplug: what systemd-udev-trigger.service does at boot: an "add" uevent for every
# subsystem, then for every device, each followed by "udevadm settle" (so that the rules on
# the AP bus, chzdev's masks, have run before the devices' rules, mdevctl's).
udevd_coldplug() {
    udevadm trigger --type=subsystems --action=add || return 1
    udevadm settle --timeout="$LIVE_SETTLE_TIMEOUT" || return 1
    udevadm trigger --type=devices --action=add || return 1
    udevadm settle --timeout="$LIVE_SETTLE_TIMEOUT"
}

# live_reboot TREE CMDLINE: reboots the simulated host inside the shell. The kernel reboots
# with CMDLINE (kernel/debug/apsysfs/reboot; refused with EINVAL before anything changes);
# the running udevd receives the new boot's uevents and runs the rules on them (mdevctl's on
# the matrix device's MDEV_STATE=registered, chzdev's on BINDINGS=complete) until it settles;
# then it is restarted with an empty database (the old one describes devices of the previous
# boot) and coldplugs the devices. Without udevd only the kernel reboots.
live_reboot() {
    local tree=$1 cmdline=$2
    printf '%s\n' "$cmdline" >"$tree/kernel/debug/apsysfs/reboot" 2>/dev/null || return 1
    if udevd_pid >/dev/null; then
        # The boot's uevents were multicast before the write returned (the kernel boots
        # inside it), and udevd answers settle's ping only after reading its pending
        # uevents: once settled, every rule run on the boot's events (mdevctl start,
        # chzdev's mask writes) has finished, and stopping udevd cuts none of them short.
        if ! udevadm settle --timeout="$LIVE_SETTLE_TIMEOUT"; then
            live_say "udevadm settle did not finish in ${LIVE_SETTLE_TIMEOUT} s after the reboot (APSYSFS_SETTLE_TIMEOUT); restarting systemd-udevd anyway, the coldplug runs the rules again"
        fi
        udevd_stop
        udevd_start || return 1
        udevd_coldplug || return 1
    fi
}
