#!/usr/bin/env bash
# TAP suite: `make install DESTDIR=...` from source, with the default PREFIX=/usr
# and with PREFIX=/usr/local: every file of docs/ARCHITECTURE.md §4 that a source install
# provides, its mode, and that the paths written into installed files (hooks.d
# hook.path, the unit's ExecStart) name files that the install put there.
# Checks are functions run through t(); jq programs are single-quoted on purpose.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; }
t() {
    local tname=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$tname"; else nok "$tname" "$out"; fi
}
command -v jq >/dev/null || { echo "ok 1 - make install # SKIP jq is not installed"; echo 1..1; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mode_is() { # mode_is FILE OCTAL
    [ -e "$1" ] || { echo "$1: missing"; return 1; }
    [ "$(stat -c %a "$1")" = "$2" ] || { echo "$1: mode $(stat -c %a "$1"), want $2"; return 1; }
}

for prefix in /usr /usr/local; do
    d=$work/dest${prefix//\//_}
    # A clean make environment: not the MAKEFLAGS of a calling `make test`.
    if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$root" BUILD="${BUILD:-build}" \
        PREFIX="$prefix" DESTDIR="$d" install >"$work/install.log" 2>&1; then
        ok "PREFIX=$prefix: make install succeeds"
    else
        nok "PREFIX=$prefix: make install succeeds" "$(tail -n 15 "$work/install.log")"
        continue
    fi
    hook=$prefix/libexec/oci/hooks.d/workload-partitioning-hook
    json=$d$prefix/share/containers/oci/hooks.d/99-workload-partitioning.json
    unit=$d$prefix/lib/systemd/system/workload-partitioning-merge.service
    t "PREFIX=$prefix: hook installed 0755" mode_is "$d$hook" 755
    t "PREFIX=$prefix: hooks.d JSON installed 0644" mode_is "$json" 644
    t "PREFIX=$prefix: hooks.d hook.path is the installed hook ($hook)" \
        jq -e --arg p "$hook" '.hook.path == $p' "$json"
    t "PREFIX=$prefix: node config in /etc, 0644, = config/config.json (off)" \
        sh -c "[ \"\$(stat -c %a '$d/etc/workload-partitioning/config.json')\" = 644 ] && cmp '$d/etc/workload-partitioning/config.json' '$root/config/config.json'"
    t "PREFIX=$prefix: the merge unit's manifest directory exists" test -d "$d/etc/workload-partitioning/workloadpartitions.d"
    t "PREFIX=$prefix: merge unit installed 0644" mode_is "$unit" 644
    runit=$d$prefix/lib/systemd/system/workload-partitioning-reconcile.service
    t "PREFIX=$prefix: reconcile unit installed 0644" mode_is "$runit" 644
    t "PREFIX=$prefix: the reconcile unit runs the installed wpctl reconcile --watch" \
        grep -q "^ExecStart=$prefix/[a-z]*bin/wpctl reconcile --watch " "$runit"
    exec_bin=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit" 2>/dev/null)
    t "PREFIX=$prefix: the unit's ExecStart ($exec_bin) is the installed wpctl" \
        sh -c "[ -n '$exec_bin' ] && [ -x '$d$exec_bin' ] && [ \"\$(basename '$exec_bin')\" = wpctl ]"
    manifests() {
        local f bad=0
        for f in "$root"/config/crd/*.yaml; do
            cmp "$f" "$d$prefix/share/workload-partitioning/${f##*/}" || bad=1
        done
        return "$bad"
    }
    t "PREFIX=$prefix: CRD and RBAC manifests in share/workload-partitioning" manifests
    mans() {
        local f bad=0
        for f in "$root"/docs/man/*.[1-8]; do
            [ -e "$f" ] || continue
            [ -f "$d$prefix/share/man/man${f##*.}/${f##*/}.gz" ] || { echo "no man page for ${f##*/}"; bad=1; }
        done
        return "$bad"
    }
    t "PREFIX=$prefix: every docs/man page is installed" mans
    pc() { # the pkg-config file names the installed library, header and version
        local want
        pkgc() { PKG_CONFIG_PATH=$d$prefix/lib/pkgconfig PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 \
            PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 pkg-config "$@" workload-partitioning; }
        want=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -C "$root" version)
        [ "$(pkgc --modversion)" = "$want" ] || { echo "version $(pkgc --modversion), want $want"; return 1; }
        pkgc --cflags | grep -q -- "^-I$prefix/include " || { echo "cflags: $(pkgc --cflags)"; return 1; }
        pkgc --libs | grep -qx -- "-L$prefix/lib -lworkload-partitioning *" &&
            [ -f "$d$prefix/lib/libworkload-partitioning.so.0" ] && [ -f "$d$prefix/include/workload_partitioning.h" ]
    }
    versions() { # the installed hook and wpctl print the one version
        local want
        want=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -C "$root" version)
        [ "$("$d$hook" --version)" = "workload-partitioning-hook $want" ] || { "$d$hook" --version; return 1; }
        [ "$("$d$prefix/bin/wpctl" --version)" = "wpctl $want" ] || { "$d$prefix/bin/wpctl" --version; return 1; }
    }
    t "PREFIX=$prefix: the hook's and wpctl's --version print the version of the header" versions
    if command -v pkg-config >/dev/null; then
        t "PREFIX=$prefix: workload-partitioning.pc: the version, -I and -L of this install" pc
    else
        echo "ok $((n += 1)) - PREFIX=$prefix: workload-partitioning.pc # SKIP pkg-config is not installed"
    fi
    writable() {
        local out
        out=$(find "$d" -mindepth 1 ! -type l -perm /022 -printf '/%P %m\n')
        [ -z "$out" ] || { echo "$out"; return 1; }
    }
    t "PREFIX=$prefix: nothing installed is group- or world-writable" writable
done
echo "1..$n"
[ "$failed" -eq 0 ]
