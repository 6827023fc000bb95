#!/usr/bin/env bash
# TAP suite: the binary RPMs that `make rpm` built. Unpacks the payload
# (rpm2cpio | cpio) into a temporary root and checks every path, its mode and
# owner against docs/ARCHITECTURE.md §4; checks that `rpm -qlp` lists exactly the expected
# files, that the files carry the content of the source tree, that the hook is
# static and that every library wpctl and the .so link is a Requires.
#
# The RPM is looked for in $BUILD/rpmbuild/RPMS/ (BUILD from the environment,
# default build). With RPM_IN_TEST=1 (mk/rpm.mk sets it under CI=true) the suite
# first runs `make rpm` (which keeps an RPM that is up to date). Without an RPM
# it prints a SKIP: run `make rpm` first, or `make test RPM_IN_TEST=1`.
# Checks are functions run through t(); jq programs are single-quoted on purpose.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build = /* ]] || build=$root/$build
name=workload-partitioning-hook
version=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -C "$root" version)

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
t() { # t NAME COMMAND...: passes when COMMAND succeeds; its output is the diagnosis
    local tname=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$tname"; else nok "$tname" "$out"; fi
}
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }

for tool in rpm rpm2cpio cpio readelf jq; do
    command -v $tool >/dev/null || { skip "RPM payload" "$tool is not installed (scripts/install-deps.sh)"; finish; }
done
if [ "${RPM_IN_TEST:-0}" = 1 ]; then
    mkdir -p "$build"
    if make -C "$root" BUILD="${BUILD:-build}" rpm >"$build/make-rpm.log" 2>&1; then
        ok "make rpm builds the RPMs (log: $build/make-rpm.log)"
    else
        nok "make rpm builds the RPMs (log: $build/make-rpm.log)" "$(grep -E '^ *not ok|^error|: error:|\*\*\*|RPM build errors' "$build/make-rpm.log" | tail -n 20)"
        finish
    fi
fi
shopt -s nullglob
mains=("$build"/rpmbuild/RPMS/*/"$name-$version"-*.rpm)
devels=("$build"/rpmbuild/RPMS/*/"$name-devel-$version"-*.rpm)
shopt -u nullglob
if [ ${#mains[@]} -eq 0 ]; then
    skip "RPM payload" "no $name-$version RPM in $build/rpmbuild/RPMS: run make rpm (or make test RPM_IN_TEST=1)"
    finish
fi
t "one main RPM, one -devel RPM" test ${#mains[@]} -eq 1 -a ${#devels[@]} -eq 1
rpm_main=${mains[0]} rpm_devel=${devels[0]:-/nonexistent}
echo "# testing $rpm_main, built $(rpm -qp --qf '%{BUILDTIME:date}' "$rpm_main" 2>/dev/null)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The source the RPM was built from: the dist tarball when it is there (the
# RPM is built from it), else the work tree.
src=$root
tarball=$build/dist/$name-$version.tar.gz
if [ -f "$tarball" ] && tar -xzf "$tarball" -C "$work" 2>/dev/null; then
    src=$work/$name-$version
    echo "# expected content from $tarball"
fi

libdir=$(rpm --eval '%{_libdir}')
unitdir=$(rpm --eval '%{_unitdir}')
[[ $unitdir == %* ]] && unitdir=/usr/lib/systemd/system
# %doc directory: rpm's default is %{_defaultdocdir}/%{NAME}-%{VERSION} (Debian's
# rpm); Fedora sets _docdir_fmt to %{NAME}.
docfmt=$(rpm --eval '%{?_docdir_fmt}')
[ -n "$docfmt" ] || docfmt='%{NAME}-%{VERSION}'
docdir=$(rpm --eval '%{?_docdir}')
[ -n "$docdir" ] || docdir=$(rpm --eval '%{_defaultdocdir}')
docdir=$docdir/$(rpm -qp --qf "$docfmt" "$rpm_main" 2>/dev/null)
# %license directory: %{_defaultlicensedir}/%{NAME}-%{VERSION} here, as %doc.
licdir=$(rpm --eval '%{_defaultlicensedir}')/$(rpm -qp --qf "$docfmt" "$rpm_main" 2>/dev/null)

# ---------------------------------------------------------------- the file lists
hook=/usr/libexec/oci/hooks.d/$name
hooksjson=/usr/share/containers/oci/hooks.d/99-workload-partitioning.json
unit=$unitdir/workload-partitioning-merge.service
reconcile_unit=$unitdir/workload-partitioning-reconcile.service
# path type mode (octal) : what docs/ARCHITECTURE.md §4 and the spec say each node path is
expected_main() {
    cat <<EOF
/etc/workload-partitioning d 0755
/etc/workload-partitioning/config.json f 0644
/etc/workload-partitioning/partitions.json g 0644
/etc/workload-partitioning/workloadpartitions.d d 0755
/usr/bin/wpctl f 0755
$unit f 0644
$reconcile_unit f 0644
$libdir/libworkload-partitioning.so.0 f 0755
/usr/libexec/oci d 0755
/usr/libexec/oci/hooks.d d 0755
$hook f 0755
/usr/share/containers d 0755
/usr/share/containers/oci d 0755
/usr/share/containers/oci/hooks.d d 0755
$hooksjson f 0644
$docdir d 0755
$docdir/DECISIONS.md f 0644
$docdir/INSTALL.md f 0644
$licdir d 0755
$licdir/LICENSE f 0644
/usr/share/workload-partitioning d 0755
EOF
    local f s
    for f in "$src"/config/crd/*.yaml; do
        [ -e "$f" ] && echo "/usr/share/workload-partitioning/${f##*/} f 0644"
    done
    for f in "$src"/docs/man/*.[1-8]; do
        [ -e "$f" ] || continue
        s=${f##*.}
        echo "/usr/share/man/man$s/${f##*/}.gz f 0644"
    done
}
expected_devel() {
    cat <<EOF
/usr/include/workload_partitioning.h f 0644
$libdir/libworkload-partitioning.so l 0777
$libdir/pkgconfig/workload-partitioning.pc f 0644
EOF
}

# rpmbuild adds /usr/lib/.build-id/NN/<id> symlinks to the ELF files it packs
# (Fedora's _build_id_links); they are checked apart.
exact_list() { # exact_list RPM EXPECTED-FUNCTION
    local got want
    got=$(rpm -qlp "$1" | grep -v '^/usr/lib/\.build-id\(/\|$\)' | sort)
    want=$($2 | awk '{print $1}' | sort)
    [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | sed -n 's/^</missing:/p; s/^>/unexpected:/p'; return 1; }
}
t "rpm -qlp $(basename "$rpm_main") lists exactly the expected files" exact_list "$rpm_main" expected_main
t "rpm -qlp $(basename "$rpm_devel") lists exactly the expected files" exact_list "$rpm_devel" expected_devel

# ---------------------------------------------------------------- header view
# path perms user group flags linkto, for every file, as rpm records them.
qf='[%{FILENAMES}\t%{FILEMODES:perms}\t%{FILEUSERNAME}\t%{FILEGROUPNAME}\t%{FILEFLAGS:fflags}\t%{FILELINKTOS}\n]'
rpm -qp --qf "$qf" "$rpm_main" >"$work/hdr-main" 2>/dev/null
rpm -qp --qf "$qf" "$rpm_devel" >"$work/hdr-devel" 2>/dev/null
header_owners() {
    awk -F'\t' '$3 != "root" || $4 != "root" {print $1 ": owner " $3 ":" $4; bad=1} END {exit bad}' "$@"
}
t "rpm header: every file is owned by root:root" header_owners "$work/hdr-main" "$work/hdr-devel"
flag_of() { awk -F'\t' -v p="$2" '$1 == p {print $5}' "$1"; }
t "config.json is %config(noreplace)" test "$(flag_of "$work/hdr-main" /etc/workload-partitioning/config.json)" = cn
t "partitions.json is %ghost (written by wpctl merge, not shipped)" test "$(flag_of "$work/hdr-main" /etc/workload-partitioning/partitions.json)" = g
docs_flagged() {
    local p bad=0
    for p in "$docdir/DECISIONS.md" "$docdir/INSTALL.md"; do
        [ "$(flag_of "$work/hdr-main" "$p")" = d ] || { echo "$p is not %doc"; bad=1; }
    done
    return "$bad"
}
t "the docs are %doc" docs_flagged

# ---------------------------------------------------------------- the payload
tree=$work/root
mkdir -p "$tree"
unpack() {
    local r
    for r in "$rpm_main" "$rpm_devel"; do
        (cd "$tree" && rpm2cpio "$r" | cpio -idm --quiet --no-absolute-filenames) || return 1
    done
}
t "rpm2cpio | cpio unpacks both payloads" unpack

check_tree() { # check_tree EXPECTED-FUNCTION HEADER: type, mode, owner of each path
    local p type mode got bad=0 hdrperm
    while read -r p type mode; do
        local f=$tree$p
        hdrperm=$(awk -F'\t' -v p="$p" '$1 == p {print $2}' "$2")
        case $type in
        g)
            [ -e "$f" ] && { echo "$p: a %ghost file is in the payload"; bad=1; }
            [ "$hdrperm" = "-rw-r--r--" ] || { echo "$p: header mode $hdrperm, want -rw-r--r--"; bad=1; }
            continue ;;
        d) { [ -d "$f" ] && [ ! -L "$f" ]; } || { echo "$p: not a directory in the payload"; bad=1; continue; } ;;
        f) { [ -f "$f" ] && [ ! -L "$f" ]; } || { echo "$p: not a regular file in the payload"; bad=1; continue; } ;;
        l) [ -L "$f" ] || { echo "$p: not a symlink in the payload"; bad=1; continue; } ;;
        esac
        if [ "$type" != l ]; then
            got=$(stat -c %a "$f")
            [ "$((8#$got))" -eq "$((8#$mode))" ] || { echo "$p: mode 0$got, want $mode"; bad=1; }
            # the header agrees with the payload
            [ "$(stat -c %A "$f")" = "$hdrperm" ] || { echo "$p: payload $(stat -c %A "$f"), header $hdrperm"; bad=1; }
        fi
        # cpio run as root restores the archive's owners; as a user it cannot.
        if [ "$(id -u)" -eq 0 ]; then
            got=$(stat -c %U:%G "$f")
            [ "$got" = root:root ] || { echo "$p: payload owner $got"; bad=1; }
        fi
    done < <($1)
    return "$bad"
}
t "main payload: every path has its type, mode and owner (ARCHITECTURE.md §4)" check_tree expected_main "$work/hdr-main"
t "devel payload: every path has its type, mode and owner" check_tree expected_devel "$work/hdr-devel"

nothing_writable() { # nothing that the hook or root trusts is group/world-writable
    local out
    out=$(find "$tree" -mindepth 1 ! -type l -perm /022 -printf '/%P %m\n')
    [ -z "$out" ] || { echo "$out"; return 1; }
}
t "no path in the payload is group- or world-writable" nothing_writable

build_ids() { # every .build-id entry is a link to a shipped ELF file
    local l target bad=0
    while read -r l; do
        [ -d "$tree$l" ] && [ ! -L "$tree$l" ] && continue
        [ -L "$tree$l" ] || { echo "$l: not a symlink"; bad=1; continue; }
        target=$(readlink -f "$tree$l")
        case ${target#"$tree"} in
        "$hook" | /usr/bin/wpctl | "$libdir"/libworkload-partitioning.so.0) ;;
        *) echo "$l -> ${target#"$tree"}: not one of the shipped binaries"; bad=1 ;;
        esac
    done < <(rpm -qlp "$rpm_main" "$rpm_devel" | grep '^/usr/lib/\.build-id/')
    return "$bad"
}
t "/usr/lib/.build-id entries only link the shipped binaries" build_ids

same() { cmp "$1" "$2" || return 1; }
t "config.json is config/config.json" same "$tree/etc/workload-partitioning/config.json" "$src/config/config.json"
t 'config.json ships "enabled": false (the hook is off until the admin turns it on)' \
    jq -e '.enabled == false' "$tree/etc/workload-partitioning/config.json"
t "hooks.d registration is config/hooks.d/99-workload-partitioning.json" same "$tree$hooksjson" "$src/config/hooks.d/99-workload-partitioning.json"
t "hooks.d registration names the packaged hook, schema 1.0.0, one stage" \
    jq -e --arg p "$hook" '.version == "1.0.0" and .hook.path == $p and .stages == ["createRuntime", "poststop"]' "$tree$hooksjson"
unit_content() { # the unit, with ExecStart at the packaged wpctl
    cmp "$tree$unit" "$src/config/systemd/workload-partitioning-merge.service" &&
        grep -q '^ExecStart=/usr/bin/wpctl merge ' "$tree$unit"
}
t "merge unit is config/systemd/workload-partitioning-merge.service, ExecStart at /usr/bin/wpctl" unit_content
crds_same() {
    local f bad=0
    for f in "$src"/config/crd/*.yaml; do
        cmp "$f" "$tree/usr/share/workload-partitioning/${f##*/}" || bad=1
    done
    return "$bad"
}
t "CRD and RBAC manifests are config/crd/*.yaml" crds_same
mans_same() {
    local f s bad=0
    for f in "$src"/docs/man/*.[1-8]; do
        [ -e "$f" ] || continue
        s=${f##*.}
        zcat "$tree/usr/share/man/man$s/${f##*/}.gz" | cmp - <(sed "s/@VERSION@/$version/g" "$f") || bad=1
    done
    return "$bad"
}
t "man pages are docs/man/* (gzip, version $version filled in)" mans_same
pc_version() {
    local pc=$tree$libdir/pkgconfig/workload-partitioning.pc
    grep -qx "Version: $version" "$pc" && grep -qx "libdir=$libdir" "$pc" &&
        grep -qx 'includedir=/usr/include' "$pc" || { cat "$pc"; return 1; }
}
t "workload-partitioning.pc: version $version, the packaged libdir and includedir" pc_version
t "header is include/workload_partitioning.h" same "$tree/usr/include/workload_partitioning.h" "$src/include/workload_partitioning.h"
t "libworkload-partitioning.so -> libworkload-partitioning.so.0" \
    test "$(readlink "$tree$libdir/libworkload-partitioning.so")" = libworkload-partitioning.so.0

# ---------------------------------------------------------------- linking
is_static() { # no program interpreter, no NEEDED
    local out
    out=$(readelf -lW "$tree$hook" | grep -i 'program interpreter'; readelf -dW "$tree$hook" | grep NEEDED)
    [ -z "$out" ] || { echo "$out"; return 1; }
}
if rpm -qp --qf '%{RELEASE}\n' "$rpm_main" >/dev/null && [ -f "$tree$hook" ]; then
    t "the hook is statically linked" is_static
fi
t "the hook runs: --version prints $version" sh -c "'$tree$hook' --version | grep -qF '$version'"
soname() { readelf -dW "$tree$libdir/libworkload-partitioning.so.0" | grep -q 'SONAME.*\[libworkload-partitioning\.so\.0\]'; }
t "libworkload-partitioning.so.0 has SONAME libworkload-partitioning.so.0" soname
no_rpath() {
    local f out bad=0
    for f in "$tree/usr/bin/wpctl" "$tree$libdir/libworkload-partitioning.so.0" "$tree$hook"; do
        out=$(readelf -dW "$f" | grep -E 'RPATH|RUNPATH')
        [ -z "$out" ] || { echo "${f#"$tree"}: $out"; bad=1; }
    done
    return "$bad"
}
t "no RPATH/RUNPATH in the shipped binaries" no_rpath
needs_required() { # every NEEDED of wpctl and the .so is a Requires of the package
    local reqs lib f bad=0
    reqs=$(rpm -qpR "$rpm_main")
    for f in "$tree/usr/bin/wpctl" "$tree$libdir/libworkload-partitioning.so.0"; do
        for lib in $(readelf -dW "$f" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
            [ "$lib" = libworkload-partitioning.so.0 ] && continue # provided by this package
            grep -q "^${lib//./\\.}(" <<<"$reqs" || { echo "${f#"$tree"} needs $lib; no Requires for it"; bad=1; }
        done
    done
    return "$bad"
}
t "every library wpctl and the .so link is an (automatic) Requires" needs_required
t "the package Provides libworkload-partitioning.so.0" sh -c "rpm -qp --provides '$rpm_main' | grep -q '^libworkload-partitioning\.so\.0('"
devel_requires() {
    local want
    # %{?_isa} as the build machine's rpm expands it (empty on Debian's rpm)
    want="$name$(rpm --eval '%{?_isa}') = $(rpm -qp --qf '%{VERSION}-%{RELEASE}' "$rpm_main")"
    rpm -qpR "$rpm_devel" | grep -qxF "$want" || { echo "want '$want' in:"; rpm -qpR "$rpm_devel"; return 1; }
}
t "-devel Requires the main package of the same version-release" devel_requires
t "package version is the source's version ($version)" test "$(rpm -qp --qf '%{VERSION}' "$rpm_main")" = "$version"

# ---------------------------------------------------------------- install, reinstall, erase
# Into an rpm database of its own under a temp root (no scriptlets: they need
# systemd): the admin's edits survive, the merged file is the package's, and an
# erase keeps an edited config as .rpmsave.
if [ "$(id -u)" -eq 0 ]; then
    inst=$work/inst
    rpmq() { # rpm in the temp root; Debian's rpm warns that it is not dpkg
        local out rc
        out=$(rpm --root "$inst" --nodeps --noscripts "$@" 2>&1)
        rc=$?
        grep -v 'Alien\|what you are doing\|saved as' <<<"$out" || true
        return "$rc"
    }
    lifecycle() {
        local c=$inst/etc/workload-partitioning/config.json p=$inst/etc/workload-partitioning/partitions.json
        mkdir -p "$inst" && rpm --root "$inst" --initdb || return 1
        rpmq -i "$rpm_main" || return 1
        [ -f "$c" ] || { echo "config.json not installed"; return 1; }
        jq '.enabled = true' "$c" >"$c.new" && mv "$c.new" "$c"
        echo '{"version": 1, "partitions": {}}' >"$p"
        rpmq -U --replacepkgs "$rpm_main" || return 1
        jq -e '.enabled == true' "$c" >/dev/null || { echo "reinstall overwrote the edited config.json"; return 1; }
        [ ! -e "$c.rpmnew" ] || { echo "an unchanged package config left a .rpmnew"; return 1; }
        rpm --root "$inst" -qf /etc/workload-partitioning/partitions.json >/dev/null 2>&1 ||
            { echo "rpm -qf names no owner for partitions.json"; return 1; }
        rpmq -e "$name" || return 1
        [ -f "$c.rpmsave" ] || { echo "erase did not keep the edited config as config.json.rpmsave"; return 1; }
        [ ! -e "$p" ] || { echo "erase left the %ghost partitions.json"; return 1; }
        [ ! -e "$inst$hook" ] || { echo "erase left the hook"; return 1; }
    }
    t "install, edit config, reinstall, erase: edits kept, .rpmsave on erase, ghost removed" lifecycle
fi

finish
