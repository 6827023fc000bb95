#!/usr/bin/env bash
# The man pages: render without warnings, document every wpctl option, are
# built by make and installed by `make install` (install-wpctl).
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL"

PAGES=(wpctl.8 workload-partitioning-hook.8 workload-partitioning.json.5)

test_pages_render_without_warnings() {
    command -v groff >/dev/null || die "groff is missing"
    local p
    for p in "${PAGES[@]}"; do
        [[ -f "$SRC/docs/man/$p" ]] || die "docs/man/$p is missing"
        groff -man -ww -z "$SRC/docs/man/$p" 2>"$W/warn" || die "$p: groff failed"
        [[ ! -s "$W/warn" ]] || die "$p: $(cat "$W/warn")"
        grep -q '^\.SH NAME' "$SRC/docs/man/$p" || die "$p: no NAME section"
        grep -q '^\.SH SEE ALSO' "$SRC/docs/man/$p" || die "$p: no SEE ALSO section"
    done
}

test_every_wpctl_option_is_documented() {
    local cmd opt missing=
    for cmd in merge validate explain status reconcile unpin audit; do
        "$WPCTL" "$cmd" --help >"$W/help" || die "wpctl $cmd --help failed"
        for opt in $(grep -oE -- '--[a-z][a-z-]+' "$W/help" | sort -u); do
            [[ $opt == --help ]] && continue
            # roff escapes '-' as '\-'
            grep -qF -- "${opt//-/\\-}" "$SRC/docs/man/wpctl.8" || missing+=" $cmd:$opt"
        done
    done
    [[ -z $missing ]] || die "not in wpctl.8:$missing"
}

test_the_hook_page_documents_the_hooks_options() {
    [[ -x "$HOOK" ]] || die "$HOOK is not built"
    local opt
    for opt in $("$HOOK" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        grep -qF -- "${opt//-/\\-}" "$SRC/docs/man/workload-partitioning-hook.8" || die "$opt not documented"
    done
}

test_pages_are_built_and_installed() {
    local p version
    version=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -C "$SRC" version) || die "make version failed"
    [[ -n $version ]] || die "make version printed nothing"
    for p in "${PAGES[@]}"; do
        [[ -s "$BUILD_DIR/man/$p.gz" ]] || die "$BUILD_DIR/man/$p.gz is not built"
        grep -q '^\.TH .*@VERSION@' "$SRC/docs/man/$p" || die "$p: the .TH line does not carry @VERSION@"
        cmp -s <(gzip -dc "$BUILD_DIR/man/$p.gz") <(sed "s/@VERSION@/$version/g" "$SRC/docs/man/$p") ||
            die "$p.gz is stale"
        gzip -dc "$BUILD_DIR/man/$p.gz" | grep -q "^\.TH .*workload-partitioning-hook $version\"" ||
            die "$p.gz: the .TH line does not name version $version"
    done
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$SRC" BUILD="$BUILD_DIR" DESTDIR="$W/root" \
        PREFIX=/usr install >"$W/make.log" 2>&1 || die "make install failed: $(cat "$W/make.log")"
    [[ -x "$W/root/usr/bin/wpctl" ]] || die "wpctl not installed: $(cd "$W/root" && find .)"
    [[ -f "$W/root/usr/share/man/man8/wpctl.8.gz" ]] || die "wpctl.8 not installed"
    [[ -f "$W/root/usr/share/man/man8/workload-partitioning-hook.8.gz" ]] || die "hook page not installed"
    [[ -f "$W/root/usr/share/man/man5/workload-partitioning.json.5.gz" ]] || die "json.5 not installed"
    [[ $(stat -c %a "$W/root/usr/share/man/man5/workload-partitioning.json.5.gz") == 644 ]] || die "mode"
}

t "the man pages render without groff warnings" test_pages_render_without_warnings
t "wpctl(8) documents every option of every wpctl command" test_every_wpctl_option_is_documented
t "workload-partitioning-hook(8) documents the hook's options" test_the_hook_page_documents_the_hooks_options
t "make builds the man pages and make install-wpctl installs them" test_pages_are_built_and_installed
done_testing
