# shellcheck shell=bash
# Helpers shared by scripts/apsysfs and scripts/test. Source it; it defines functions
# and a few variables, and runs nothing else.
#
# Environment (all optional):
#   APSYSFS_JAVA_OPTS  JVM flags for the daemon (default: $APSYSFS_DEFAULT_JAVA_OPTS, plus
#                      $APSYSFS_FULL_HEAP_OPTS for --machine full)
#   APSYSFS_RUN_DIR    where pid files go   (root: /run/apsysfs)
#   APSYSFS_LOG_DIR    where daemon logs go (root: /var/log/apsysfs)
#   JAVA_HOME          use $JAVA_HOME/bin/java instead of java from PATH
#   APSYSFS_CLASSPATH  run the daemon from this class path (org.apsysfs.cli.Main) instead
#                      of target/apsysfs.jar, and build nothing (tests use the build tree)
#   APSYSFS_CDS        0: no class-data archive (target/apsysfs.jsa); default 1

APSYSFS_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
APSYSFS_JAR=$APSYSFS_ROOT/target/apsysfs.jar
# Class-data archive of the classes a daemon loads (AppCDS), made by ensure_cds.
APSYSFS_JSA=$APSYSFS_ROOT/target/apsysfs.jsa
APSYSFS_FSTYPE=fuse.apsysfs
# shellcheck disable=SC2034  # used by the sourcing scripts
APSYSFS_DEFAULT_JAVA_OPTS="-Xms16m -Xmx320m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto"
# --machine full (65,536 queues, about 55 MiB of live objects): a heap that holds the boot
# without growing in small steps (each step a collection), and a smaller maximum. The later
# -Xms/-Xmx win over those in the defaults.
APSYSFS_FULL_HEAP_OPTS="-Xms96m -Xmx192m"

# default_java_opts DAEMON-OPTIONS...: the JVM flags the daemon gets without APSYSFS_JAVA_OPTS.
default_java_opts() {
    local prev=
    for a in "$@"; do
        case $prev/$a in
            --machine/full | */--machine=full) printf '%s\n' "$APSYSFS_DEFAULT_JAVA_OPTS $APSYSFS_FULL_HEAP_OPTS"; return ;;
        esac
        prev=$a
    done
    printf '%s\n' "$APSYSFS_DEFAULT_JAVA_OPTS"
}

if [ "$(id -u)" = 0 ]; then
    APSYSFS_RUN_DIR=${APSYSFS_RUN_DIR:-/run/apsysfs}
    APSYSFS_LOG_DIR=${APSYSFS_LOG_DIR:-/var/log/apsysfs}
else
    APSYSFS_RUN_DIR=${APSYSFS_RUN_DIR:-${XDG_RUNTIME_DIR:-/tmp/apsysfs-$(id -u)}/apsysfs}
    APSYSFS_LOG_DIR=${APSYSFS_LOG_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/apsysfs}
fi

# Command names used in messages (the sourcing script may override).
APSYSFS_ME=${APSYSFS_ME:-apsysfs}

say() { printf '%s: %s\n' "$APSYSFS_ME" "$*" >&2; }
die() { say "$*"; exit 1; }
# die_usage: refusals and usage errors exit with 2, like the daemon's own refusals.
die_usage() { say "$*"; exit 2; }

is_root() { [ "$(id -u)" = 0 ]; }

java_cmd() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        printf '%s\n' "$JAVA_HOME/bin/java"
    else
        printf '%s\n' java
    fi
}

# ---------------------------------------------------------------- packages

_apt_updated=
# apt_install PKG...: install Debian packages (root only; apt-get update once per run).
apt_install() {
    [ $# -gt 0 ] || return 0
    if ! is_root; then
        die "missing: $*; run as root, or install them first: sudo apt-get install -y $*"
    fi
    command -v apt-get >/dev/null || die "missing: $*, and apt-get is not available; install them by hand"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$_apt_updated" ]; then
        say "apt-get update"
        apt-get update -q </dev/null >&2 || die "apt-get update failed"
        _apt_updated=1
    fi
    say "installing: $*"
    apt-get install -y -q --no-install-recommends "$@" </dev/null >&2 || die "apt-get install $* failed"
}

# java_major CMD: the feature version of a java/javac command (e.g. 17), or 0.
java_major() {
    local v
    command -v "$1" >/dev/null || { echo 0; return; }
    # Fast path: the JDK's release file (JAVA_VERSION="17.0.9") instead of starting a JVM
    # for -version on every mount (a JVM start is most of a restart's launcher overhead).
    local real rel line
    real=$(readlink -f -- "$(command -v "$1")" 2>/dev/null) || real=
    rel=${real%/bin/*}/release
    if [ -n "$real" ] && [ -r "$rel" ]; then
        while IFS= read -r line; do
            case $line in
                JAVA_VERSION=*)
                    v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v%%.*}
                    [ "$v" = 1 ] && v=8
                    case $v in ''|*[!0-9]*) ;; *) printf '%s\n' "$v"; return ;; esac ;;
            esac
        done <"$rel"
    fi
    v=$("$1" -version 2>&1 | grep -v '^Picked up' | head -n 1 | grep -oE '[0-9]+(\.[0-9]+)*' | head -n 1) || true
    v=${v%%.*}
    [ "$v" = 1 ] && v=8   # "1.8.0_x"
    printf '%s\n' "${v:-0}"
}

# have_libfuse2: libfuse.so.2 can be loaded. Asks the dynamic loader's cache through
# /sbin/ldconfig by its full path (a user's PATH has no /sbin) and reads its whole answer into
# a variable (a "| grep -q" that exits at the first match would kill ldconfig with SIGPIPE,
# which pipefail turns into a false "missing"); then looks for the file itself in the usual
# library directories (a cache that is out of date).
have_libfuse2() {
    local ldc cache f
    for ldc in /sbin/ldconfig /usr/sbin/ldconfig; do
        [ -x "$ldc" ] || continue
        cache=$("$ldc" -p 2>/dev/null) || cache=
        case $cache in *'libfuse.so.2 '*) return 0 ;; esac
        break
    done
    for f in /lib/*/libfuse.so.2 /usr/lib/*/libfuse.so.2 /lib64/libfuse.so.2 /usr/lib64/libfuse.so.2 \
        /lib/libfuse.so.2 /usr/lib/libfuse.so.2; do
        [ -e "$f" ] && return 0
    done
    return 1
}

# have_fusermount: the setuid helper a normal user's daemon mounts with (libfuse 2 runs it
# by the name "fusermount" from PATH, else from its build-time bindir).
have_fusermount() {
    command -v fusermount >/dev/null || [ -x /bin/fusermount ] || [ -x /usr/bin/fusermount ]
}

# deb_installed PKG: dpkg says PKG is installed (a last guard against installing what a
# check above missed).
deb_installed() {
    command -v dpkg-query >/dev/null || return 1
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# ensure_runtime: fusermount, libfuse.so.2, /dev/fuse and a Java 17+ runtime.
ensure_runtime() {
    local pkgs=()
    have_fusermount || deb_installed fuse || pkgs+=(fuse)
    have_libfuse2 || deb_installed libfuse2 || pkgs+=(libfuse2)
    if ! command -v "$(java_cmd)" >/dev/null; then
        pkgs+=(openjdk-17-jdk-headless)
    fi
    apt_install "${pkgs[@]}"
    if [ ! -e /dev/fuse ] && is_root; then
        modprobe fuse 2>/dev/null || true
    fi
    [ -e /dev/fuse ] || die "/dev/fuse does not exist (no FUSE in this kernel/container? try: modprobe fuse, or run the container with --device /dev/fuse --cap-add SYS_ADMIN)"
    local jm
    jm=$(java_major "$(java_cmd)")
    [ "$jm" -ge 17 ] || die "$(java_cmd) is Java $jm; Java 17 or newer is needed (set JAVA_HOME, or apt-get install openjdk-17-jdk-headless)"
}

# ensure_build_tools: a JDK 17+ (javac) and Maven.
ensure_build_tools() {
    local pkgs=()
    local javac=javac
    [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && javac=$JAVA_HOME/bin/javac
    if ! command -v "$javac" >/dev/null || [ "$(java_major "$javac")" -lt 17 ]; then
        pkgs+=(openjdk-17-jdk-headless)
    fi
    command -v mvn >/dev/null || pkgs+=(maven)
    apt_install "${pkgs[@]}"
    if [ "$(java_major "$javac")" -lt 17 ]; then
        die "$javac is not Java 17 or newer; set JAVA_HOME to a JDK 17 (e.g. /usr/lib/jvm/java-17-openjdk-amd64)"
    fi
}

# ensure_jar: build target/apsysfs.jar when it is missing or older than pom.xml or src/.
ensure_jar() {
    [ -z "${APSYSFS_CLASSPATH:-}" ] || return 0
    local stale=
    if [ ! -f "$APSYSFS_JAR" ]; then
        stale="missing"
    elif [ -n "$(find "$APSYSFS_ROOT/src" "$APSYSFS_ROOT/pom.xml" -newer "$APSYSFS_JAR" -print -quit 2>/dev/null)" ]; then
        stale="older than the sources"
    fi
    [ -n "$stale" ] || return 0
    if [ -e "$APSYSFS_ROOT/target" ] && [ ! -w "$APSYSFS_ROOT/target" ] || [ ! -w "$APSYSFS_ROOT" ]; then
        die "$APSYSFS_JAR is $stale and $APSYSFS_ROOT/target is not writable for $(id -un): build it as its owner (scripts/apsysfs mount once), or use a clone of your own"
    fi
    ensure_build_tools
    mkdir -p "$APSYSFS_ROOT/target"
    (
        # One build at a time (two mounts started together).
        flock 9
        if [ -f "$APSYSFS_JAR" ] && [ -z "$(find "$APSYSFS_ROOT/src" "$APSYSFS_ROOT/pom.xml" -newer "$APSYSFS_JAR" -print -quit 2>/dev/null)" ]; then
            exit 0
        fi
        say "building $APSYSFS_JAR ($stale): mvn -B -q -DskipTests package"
        local color=()
        [ -t 2 ] || color=(-Dstyle.color=never)
        cd "$APSYSFS_ROOT" && mvn -B -q "${color[@]}" -DskipTests package </dev/null >&2
    ) 9>"$APSYSFS_ROOT/target/.build.lock" || die "the build failed (see the Maven output above)"
    [ -f "$APSYSFS_JAR" ] || die "the build did not produce $APSYSFS_JAR"
    # Maven keeps the old jar's mtime if nothing changed; mark it fresh.
    touch "$APSYSFS_JAR"
}

# cds_fresh: target/apsysfs.jsa exists, is newer than the jar and is wanted.
cds_fresh() {
    [ -z "${APSYSFS_CLASSPATH:-}" ] && [ "${APSYSFS_CDS:-1}" != 0 ] &&
        [ -s "$APSYSFS_JSA" ] && [ "$APSYSFS_JSA" -nt "$APSYSFS_JAR" ]
}

# cds_java_opts: the JVM flags that use the archive (none if it is not fresh). The JVM
# checks the archive against the jar itself; a failed check only costs the speed-up, so
# its warning is silenced.
cds_java_opts() {
    cds_fresh || return 0
    printf '%s\n' "-XX:SharedArchiveFile=$APSYSFS_JSA" -Xlog:cds=off -Xlog:cds+dynamic=off
}

# ensure_cds: make target/apsysfs.jsa when it is missing or older than the jar, by running
# a daemon once (JDK 17 dynamic AppCDS: -XX:ArchiveClassesAtExit): it mounts the default
# machine on a temporary directory, serves a few reads, a listing and a store, and is
# stopped. Daemons started with the archive load those classes from it, which saves about
# a third of the CPU time to mounted. Never fails: without an archive daemons start anyway.
ensure_cds() {
    [ -z "${APSYSFS_CLASSPATH:-}" ] && [ "${APSYSFS_CDS:-1}" != 0 ] || return 0
    cds_fresh && return 0
    # another user's build tree (a clone that is not ours): start without an archive
    [ -w "$APSYSFS_ROOT/target" ] || return 0
    (
        flock 9
        cds_fresh && exit 0
        local d tmp pid i jopts ok=
        read -r -a jopts <<<"${APSYSFS_JAVA_OPTS-$APSYSFS_DEFAULT_JAVA_OPTS}"
        d=$(mktemp -d "${TMPDIR:-/tmp}/apsysfs-cds.XXXXXX") || exit 0
        tmp=$APSYSFS_JSA.$$.tmp
        rm -f -- "$tmp"
        say "making the class-data archive $APSYSFS_JSA (once per build)"
        "$(java_cmd)" "${jopts[@]}" -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off -Xlog:cds+dynamic=off \
            -jar "$APSYSFS_JAR" run "$d" --log-file /dev/null </dev/null >/dev/null 2>&1 8>&- &
        pid=$!
        for ((i = 0; i < 600; i++)); do
            if [ "$(mount_fstype "$d")" = "$APSYSFS_FSTYPE" ] && cat -- "$d/bus/ap/bindings" >/dev/null 2>&1; then
                ok=1
                break
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if [ -n "$ok" ]; then
            # what a client does first: read attributes, list with ls -l, store (in this throwaway daemon)
            timeout -k 1 10 cat -- "$d/bus/ap/ap_control_domain_mask" "$d/bus/ap/apmask" >/dev/null 2>&1 || true
            timeout -k 1 10 ls -l -- "$d/bus/ap/devices" "$d/devices/ap/card04" >/dev/null 2>&1 || true
            # shellcheck disable=SC2016  # $1 belongs to the inner shell
            timeout -k 1 10 sh -c 'echo 08 > "$1"' sh "$d/bus/ap/ap_domain" 2>/dev/null || true
        fi
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 300; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
        if [ "$(mount_fstype "$d")" = "$APSYSFS_FSTYPE" ]; then
            fusermount -u -z -- "$d" 2>/dev/null || true
        fi
        rmdir -- "$d" 2>/dev/null || true
        if [ -n "$ok" ] && [ -s "$tmp" ]; then
            mv -f -- "$tmp" "$APSYSFS_JSA"
        else
            rm -f -- "$tmp"
            say "could not make the class-data archive; daemons start without it"
        fi
    ) 9>"$APSYSFS_ROOT/target/.cds.lock"
    return 0
}

# ensure_client_tools: the real programs the client tests run against the tree (mdevctl,
# libvirt's node-device driver and virsh, udevadm).
ensure_client_tools() {
    local pkgs=()
    command -v mdevctl >/dev/null || pkgs+=(mdevctl)
    command -v virsh >/dev/null || pkgs+=(libvirt-clients)
    command -v libvirtd >/dev/null || [ -x /usr/sbin/libvirtd ] || pkgs+=(libvirt-daemon-system)
    command -v udevadm >/dev/null || [ -x /usr/bin/udevadm ] || pkgs+=(udev)
    apt_install "${pkgs[@]}"
}

# ensure_browser: Debian's Chromium, the headless browser the live page's test drives
# (org.apsysfs.live.LivePageTest).
ensure_browser() {
    [ -x /usr/bin/chromium ] || apt_install chromium
}

# ensure_s390_tools: IBM's s390-tools (lszcrypt, chzcrypt, zcryptctl, zcryptstats, ap-check,
# lszdev, chzdev, zdev_id) built from the source archive in ../shared/clients (beside the
# clone) into target/s390-tools, once: the build is kept until the archive or the build
# script changes. Exports APSYSFS_S390_TOOLS (the prefix: bin/, lib/mdevctl/ap-check.sh),
# which the tests read. Without the archive it says so and exports nothing.
ensure_s390_tools() {
    local shared=${APSYSFS_SHARED:-$APSYSFS_ROOT/../shared} origin
    # a clone made on this machine elsewhere ("git clone /work/main /tmp/x") finds the
    # sources beside the repository it was cloned from
    if [ -z "${APSYSFS_SHARED:-}" ] && [ ! -d "$shared/clients" ] \
        && origin=$(git -C "$APSYSFS_ROOT" remote get-url origin 2>/dev/null) && [ -d "$origin/../shared/clients" ]; then
        shared=$(realpath -- "$origin/../shared")
    fi
    local script=$shared/clients/build-s390-tools.sh prefix=$APSYSFS_ROOT/target/s390-tools
    local archive stamp want
    if [ ! -f "$script" ]; then
        say "no $script (set APSYSFS_SHARED to the directory holding clients/): the tests that run the real s390-tools will fail"
        return 0
    fi
    archive=$(ls "$shared"/clients/s390-tools-*.tar.xz 2>/dev/null | tail -n 1)
    want=$(cat -- "$script" "$archive" | cksum)
    stamp=$prefix/.built-from
    if [ ! -x "$prefix/bin/lszcrypt" ] || [ "$(cat -- "$stamp" 2>/dev/null)" != "$want" ]; then
        say "building s390-tools into $prefix (about a minute)"
        rm -rf -- "$prefix"
        bash "$script" "$prefix" >&2 || die "building s390-tools failed"
        printf '%s\n' "$want" >"$stamp"
    fi
    export APSYSFS_S390_TOOLS=$prefix
}

# ---------------------------------------------------------------- paths

# abs_dir VAR DIR: sets VAR to DIR's absolute path without following the last component
# (which may be a dead mount whose stat fails); the parent's symlinks are resolved, as in
# mountinfo. Any character works, a tab or a newline included (also at the end).
abs_dir() {
    local -n abs_dir_out=$1
    local d=$2 parent base
    while [ "${#d}" -gt 1 ] && [ "${d%/}" != "$d" ]; do d=${d%/}; done
    if [ "$d" = / ]; then abs_dir_out=/; return; fi
    case $d in
        */*) parent=${d%/*}; base=${d##*/}; [ -n "$parent" ] || parent=/ ;;
        *) parent=.; base=$d ;;
    esac
    # "; echo x": command substitution would drop trailing newlines of the name
    parent=$(realpath -m -- "$parent"; echo x); parent=${parent%$'\n'x}
    case $base in
        .|..) abs_dir_out=$(realpath -m -- "$parent/$base"; echo x); abs_dir_out=${abs_dir_out%$'\n'x} ;;
        *) abs_dir_out=${parent%/}/$base ;;
    esac
}

# escape_path /a/b-c: a file name for a mount point: "/" -> "-", "-" and anything not in
# [A-Za-z0-9._] -> %XX (so different paths never share a name). /tmp/apsysfs -> tmp-apsysfs
escape_path() {
    local LC_ALL=C
    local p=${1#/} out='' c i
    [ -n "$p" ] || { printf -- '-\n'; return; }
    for ((i = 0; i < ${#p}; i++)); do
        c=${p:i:1}
        case $c in
            [A-Za-z0-9._]) out+=$c ;;
            /) out+=- ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s\n' "$out"
}

pid_file_for() { printf '%s/%s.pid\n' "$APSYSFS_RUN_DIR" "$(escape_path "$1")"; }
default_log_for() { printf '%s/%s.log\n' "$APSYSFS_LOG_DIR" "$(escape_path "$1")"; }

# ---------------------------------------------------------------- mounts

# The kernel writes space, tab, newline and backslash in mountinfo paths as \ooo.
# mountinfo_unescape VAR ESCAPED: sets VAR (any character kept, trailing newlines too).
mountinfo_unescape() { printf -v "$1" '%b' "$2"; }
mountinfo_escape() {
    local s=${1//\\/\\134}
    s=${s// /\\040}
    s=${s//$'\t'/\\011}
    printf '%s' "${s//$'\n'/\\012}"
}

# own_fsname: the source (fsname) of the mounts this checkout's daemons make, as
# org.apsysfs.fuse.FuseMount.FSNAME computes it: apsysfs@CHECKOUT, or plain apsysfs when the
# checkout's path has a character outside [A-Za-z0-9/._+-].
own_fsname() {
    local root
    root=$(realpath -- "$APSYSFS_ROOT")
    if [[ $root =~ ^[A-Za-z0-9/._+-]+$ ]]; then
        printf 'apsysfs@%s\n' "$root"
    else
        printf 'apsysfs\n'
    fi
}

# apsysfs_mounts: "MOUNTPOINT<TAB>DEVNO<TAB>SOURCE<TAB>UID" for every fuse.apsysfs mount, in
# mount order. MOUNTPOINT and SOURCE are escaped as in mountinfo (a blank, tab, newline or
# backslash as \ooo, so a line is always one mount: unescape with mountinfo_unescape); DEVNO is
# the kernel dev_t (major<<20|minor), the name under /sys/fs/fuse/connections; UID is the
# mount's FUSE owner (user_id=), -1 if not shown.
apsysfs_mounts() {
    local line f t majmin rest uid o
    while IFS= read -r line; do
        # fields: id parent maj:min root mountpoint opts [optional...] - fstype source superopts
        rest=${line#* - }
        [ "${rest%% *}" = "$APSYSFS_FSTYPE" ] || continue
        read -r -a f <<<"$line"
        read -r -a t <<<"$rest"
        majmin=${f[2]}
        uid=-1
        IFS=, read -r -a o <<<"${t[2]:-}"
        for rest in "${o[@]}"; do
            case $rest in user_id=*) uid=${rest#user_id=} ;; esac
        done
        printf '%s\t%s\t%s\t%s\n' "${f[4]}" "$(( (${majmin%%:*} << 20) | ${majmin#*:} ))" "${t[1]:-}" "$uid"
    done </proc/self/mountinfo
}

# mount_fstype DIR: fstype of the topmost mount at DIR, or nothing.
mount_fstype() {
    local line rest fstype='' f want
    want=$(mountinfo_escape "$1")
    while IFS= read -r line; do
        read -r -a f <<<"$line"
        [ "${f[4]}" = "$want" ] || continue
        rest=${line#* - }
        fstype=${rest%% *}
    done </proc/self/mountinfo
    printf '%s\n' "$fstype"
}

# mount_owner DIR: the uid that made the topmost apsysfs mount at DIR (FUSE's user_id=
# super option in mountinfo), or nothing.
mount_owner() {
    local line f want rest uid=''
    want=$(mountinfo_escape "$1")
    while IFS= read -r line; do
        read -r -a f <<<"$line"
        [ "${f[4]}" = "$want" ] || continue
        rest=${line#* - }
        case $rest in
            "$APSYSFS_FSTYPE "*) uid=$(printf '%s\n' "$rest" | sed -n 's/.*[ ,]user_id=\([0-9]*\).*/\1/p') ;;
            *) uid='' ;;
        esac
    done </proc/self/mountinfo
    printf '%s\n' "$uid"
}

# mount_devno DIR: connection number of the topmost apsysfs mount at DIR.
mount_devno() {
    local mp dev found= want
    want=$(mountinfo_escape "$1")
    while IFS=$'\t' read -r mp dev _; do
        [ "$mp" = "$want" ] && found=$dev
    done < <(apsysfs_mounts)
    printf '%s\n' "$found"
}

# probe_stat DIR [SECONDS]: stat DIR without hanging on a stuck daemon.
# Prints ok, notconn (dead daemon: "Transport endpoint is not connected"), denied (another
# user's mount without allow_other), hung or error.
probe_stat() {
    local dir=$1 secs=${2:-5} out pid i rc
    out=$(mktemp)
    LC_ALL=C stat -c %i -- "$dir" >"$out" 2>&1 &
    pid=$!
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        # Left behind on purpose: it may sit in uninterruptible sleep until the connection
        # is aborted; we do not wait for it.
        kill -KILL "$pid" 2>/dev/null || true
        disown "$pid" 2>/dev/null || true
        rm -f "$out"
        echo hung
        return
    fi
    rc=0
    wait "$pid" || rc=$?
    if [ "$rc" = 0 ]; then
        echo ok
    elif grep -q 'Transport endpoint is not connected' "$out"; then
        echo notconn
    elif grep -q 'Permission denied' "$out"; then
        echo denied
    else
        echo error
    fi
    rm -f "$out"
}

# mount_state DIR: none | live | stale (daemon gone) | hung | denied (not ours to see) |
# error | foreign (another file system's mount point)
mount_state() {
    local fstype
    fstype=$(mount_fstype "$1")
    if [ -z "$fstype" ]; then
        echo none
    elif [ "$fstype" != "$APSYSFS_FSTYPE" ]; then
        echo foreign
    else
        case $(probe_stat "$1") in
            ok) echo live ;;
            notconn) echo stale ;;
            hung) echo hung ;;
            denied) echo denied ;;
            *) echo error ;;
        esac
    fi
}

# abort_connection DIR: fail every pending and future request of the apsysfs mount at DIR
# (frees clients stuck in a dead or hung daemon). Writes 1 to the connection's abort file of
# the fuse control file system; where fusectl is not mounted (a machine without systemd's
# sys-fs-fuse-connections.mount) it is mounted in a private mount namespace for that one
# write (fusectl has a single instance, so it lists the same connections), never on the host.
abort_connection() {
    local dev
    dev=$(mount_devno "$1")
    [ -n "$dev" ] || return 0
    if [ -w "/sys/fs/fuse/connections/$dev/abort" ]; then
        echo 1 >"/sys/fs/fuse/connections/$dev/abort" 2>/dev/null || true
    elif is_root && [ -d /sys/fs/fuse/connections ]; then
        unshare -m sh -c 'mount -t fusectl fusectl /sys/fs/fuse/connections &&
            echo 1 >"/sys/fs/fuse/connections/$1/abort"' sh "$dev" 2>/dev/null || true
    fi
}

# force_unmount DIR: abort the connection, then detach the mount lazily.
force_unmount() {
    local dir=$1
    abort_connection "$dir"
    fusermount -u -z -- "$dir" 2>/dev/null || { is_root && umount -l -- "$dir" 2>/dev/null; } || true
    [ "$(mount_fstype "$dir")" != "$APSYSFS_FSTYPE" ]
}

# clear_stale_mounts: detach the fuse.apsysfs mounts whose daemon is gone and that are ours:
# made by this checkout's daemons (source $(own_fsname)) and owned by this user (user_id=).
# Another user's or another checkout's stale mount is left to them (it is listed by "status").
clear_stale_mounts() {
    local emp mp dev src uid n=0 me mine
    me=$(id -u)
    mine=$(mountinfo_escape "$(own_fsname)")
    while IFS=$'\t' read -r emp dev src uid; do
        [ "$uid" = "$me" ] && [ "$src" = "$mine" ] || continue
        mountinfo_unescape mp "$emp"
        [ "$(probe_stat "$mp" 2)" = notconn ] || continue
        say "clearing stale mount at $emp (its daemon is gone)"
        force_unmount "$mp" || say "could not unmount $emp"
        rm -f -- "$(pid_file_for "$mp")" 2>/dev/null || true
        n=$((n + 1))
    done < <(apsysfs_mounts | tac)
    [ "$n" = 0 ] || say "cleared $n stale mount(s)"
}

# ---------------------------------------------------------------- daemon processes

# pid_alive PID: running and not a zombie. Builtins only: daemon_pid calls it for every
# process on the machine, and a fork per process costs seconds on a loaded VM.
pid_alive() {
    local line st=
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
    {
        while IFS= read -r line; do
            case $line in
                State:*) st=${line#State:}; st=${st//[[:space:]]/}; st=${st:0:1}; break ;;
            esac
        done <"/proc/$1/status"
    } 2>/dev/null
    [ "$st" != Z ] && [ -n "$st" ]
}

# pid_args PID: the process's arguments, one per line (for display and matching of names
# without newlines; is_daemon_for compares NUL-separated arguments exactly).
pid_args() { tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null; }

# is_daemon_for PID DIR: PID is an apsysfs daemon ("... apsysfs.jar run DIR ..."); DIR may hold
# any character.
is_daemon_for() {
    local a main= run= dir=
    pid_alive "$1" || return 1
    [ -r "/proc/$1/cmdline" ] || return 1
    while IFS= read -r -d '' a; do
        case $a in
            *apsysfs*.jar | org.apsysfs.cli.Main) main=1 ;;
            run) run=1 ;;
        esac
        [ "$a" = "$2" ] && dir=1
    done <"/proc/$1/cmdline"
    [ -n "$main" ] && [ -n "$run" ] && [ -n "$dir" ]
}

# daemon_pid DIR: pid of the daemon serving DIR (pid file first, then a process scan).
daemon_pid() {
    local dir=$1 pf pid p
    pf=$(pid_file_for "$dir")
    if [ -r "$pf" ]; then
        pid=$(head -n 1 "$pf")
        if is_daemon_for "$pid" "$dir"; then
            printf '%s\n' "$pid"
            return
        fi
    fi
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [ "$pid" = $$ ] && continue
        if is_daemon_for "$pid" "$dir"; then
            printf '%s\n' "$pid"
            return
        fi
    done
}

# tree_holders DIR: the processes that use the tree at DIR, as fuser -m finds them: a working
# directory, root, program or open file below DIR, or a mount namespace of their own that
# holds the mount (a "scripts/apsysfs shell" binds it over /sys). One "PID COMMAND: WHAT" line
# each; only processes this user may look at (root: all). Never stats anything below DIR.
tree_holders() {
    local dir=${1%/} majmin='' myns line f pid what ns seen=' ' n=0 comm
    local -A why=()
    while IFS= read -r line; do
        read -r -a f <<<"$line"
        [ "${f[4]}" = "$(mountinfo_escape "$dir")" ] && majmin=${f[2]}
    done </proc/self/mountinfo
    # one find for every process's links (a readlink per link would take seconds)
    while IFS=' ' read -r f line; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        f=${f#/proc/"$pid"/}
        case $f in fd/*) f=open ;; esac
        why[$pid]+=" $f $line"
    done < <(find /proc/[0-9]*/cwd /proc/[0-9]*/root /proc/[0-9]*/exe /proc/[0-9]*/fd/ -maxdepth 1 \
        \( -lname "$dir" -o -lname "$dir/*" \) -printf '%p %l\n' 2>/dev/null)
    if [ -n "$majmin" ]; then
        myns=$(readlink /proc/self/ns/mnt 2>/dev/null)
        while IFS=' ' read -r f ns; do
            pid=${f#/proc/}
            pid=${pid%%/*}
            [ "$ns" != "$myns" ] && [ -z "${why[$pid]:-}" ] || continue
            # a namespace that has the tree elsewhere than at DIR (a peer of ours, which
            # only sees our mounts propagate, has it at DIR)
            case $seen in
                *" $ns=yes "*) ;;
                *" $ns=no "*) continue ;;
                *)
                    if awk -v mm="$majmin" -v d="$(mountinfo_escape "$dir")" '$3 == mm && $5 != d { f = 1 } END { exit !f }' \
                        "/proc/$pid/mountinfo" 2>/dev/null; then
                        seen+="$ns=yes "
                    else
                        seen+="$ns=no "
                        continue
                    fi ;;
            esac
            why[$pid]=" a mount namespace of its own with the tree mounted elsewhere (scripts/apsysfs shell?)"
        done < <(find /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p %l\n' 2>/dev/null)
    fi
    for pid in $(printf '%s\n' "${!why[@]}" | sort -n); do
        [ "$pid" = $$ ] || [ "$pid" = "${BASHPID:-}" ] && continue
        comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
        printf '%s %s:%s\n' "$pid" "$comm" "${why[$pid]}"
        n=$((n + 1))
        [ "$n" -lt 20 ] || { printf '...\n'; break; }
    done
}

# daemon_log PID: the --log-file the daemon was started with.
daemon_log() {
    local a next=
    while IFS= read -r -d '' a; do
        if [ -n "$next" ]; then printf '%s\n' "$a"; return; fi
        case $a in
            --log-file) next=1 ;;
            --log-file=*) printf '%s\n' "${a#--log-file=}"; return ;;
        esac
    done <"/proc/$1/cmdline" 2>/dev/null
}
