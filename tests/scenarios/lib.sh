# shellcheck shell=bash
# Helpers for the scenarios in this directory (sourced by the test runner; source it in
# your own shell to follow a scenario by hand):
#
#   SYSFS=/tmp/apsysfs . tests/scenarios/lib.sh   # the tree mounted by scripts/apsysfs mount
#   SYSFS=/sys . tests/scenarios/lib.sh           # inside scripts/apsysfs shell
#
# klog   prints the kernel log lines (kernel/debug/apsysfs/dmesg) written since the previous
#        klog, without their [seconds] time stamps.

: "${SYSFS:=/sys}"
_klog_seen=${_klog_seen:-0}

klog() {
    local f=$SYSFS/kernel/debug/apsysfs/dmesg n
    n=$(wc -l <"$f")
    if [ "$n" -gt "$_klog_seen" ]; then
        sed -n "$((_klog_seen + 1)),${n}p" "$f" | sed 's/^\[[ 0-9.]*\] //'
    fi
    _klog_seen=$n
}

# matrix prints the picture of who owns every APQN of the tree (scripts/apsysfs matrix
#        $SYSFS; options as there, e.g. --no-legend).
_apsysfs_script=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/apsysfs
matrix() {
    "$_apsysfs_script" matrix "$SYSFS" "$@"
}

# zcryptctl runs IBM's zcryptctl as built by scripts/test into target/s390-tools (or
#        $APSYSFS_S390_TOOLS); give it SYSFS_ROOT=$SYSFS outside scripts/apsysfs shell.
zcryptctl() {
    "${APSYSFS_S390_TOOLS:-$(dirname "$_apsysfs_script")/../target/s390-tools}/bin/zcryptctl" "$@"
}
