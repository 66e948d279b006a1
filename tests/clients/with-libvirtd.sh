#!/usr/bin/env bash
# with-libvirtd.sh COMMAND [ARGS...]: start a private libvirtd, run COMMAND with
# LIBVIRT_DEFAULT_URI pointing at its node-device driver, stop libvirtd, exit with
# COMMAND's status.
#
# Meant to run inside "scripts/apsysfs shell" (so that /sys is the simulated tree) with
# private copies of libvirt's state directories, which root's libvirtd cannot relocate:
#   scripts/apsysfs shell --private /etc/libvirt --private /var/lib/libvirt \
#       --private /var/cache/libvirt --private /var/log/libvirt --private /run \
#       DIR -- tests/clients/with-libvirtd.sh virsh nodedev-list --cap ap_matrix
# libvirtd listens on a UNIX socket in a temporary directory only (no TCP, no TLS); its
# log (warnings and errors) is printed to stderr at the end.
set -euo pipefail

[ -n "${APSYSFS_SHELL:-}" ] || { echo "with-libvirtd.sh: run me inside scripts/apsysfs shell" >&2; exit 2; }
command -v libvirtd >/dev/null || { echo "with-libvirtd.sh: libvirtd is not installed (scripts/test installs libvirt-daemon-system)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/apsysfs-libvirt.XXXXXX)
pid=
# shellcheck disable=SC2317  # trap handler
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ -s "$tmp/libvirtd.log" ] && [ -n "${WITH_LIBVIRTD_LOG:-}" ]; then
        sed 's/^/libvirtd: /' "$tmp/libvirtd.log" >&2
    fi
    rm -rf -- "$tmp"
}
trap stop EXIT

mkdir -p "$tmp/run"
cat >"$tmp/libvirtd.conf" <<CONF
unix_sock_dir = "$tmp/run"
unix_sock_rw_perms = "0700"
listen_tls = 0
listen_tcp = 0
log_outputs = "3:file:$tmp/libvirtd.log"
CONF
libvirtd --config "$tmp/libvirtd.conf" --pid-file "$tmp/libvirtd.pid" --timeout 120 </dev/null >"$tmp/stdout" 2>&1 &
pid=$!
for _ in $(seq 200); do
    [ -S "$tmp/run/libvirt-sock" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "with-libvirtd.sh: libvirtd exited:" >&2; cat "$tmp/stdout" "$tmp/libvirtd.log" >&2 2>/dev/null; exit 1; }
    sleep 0.1
done
[ -S "$tmp/run/libvirt-sock" ] || { echo "with-libvirtd.sh: libvirtd did not open its socket in 20 s" >&2; exit 1; }

export LIBVIRT_DEFAULT_URI="nodedev:///system?socket=$tmp/run/libvirt-sock"
set +e
"$@"
rc=$?
exit "$rc"
