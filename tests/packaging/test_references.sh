#!/usr/bin/env bash
# TAP suite: the repository stands on its own. No file in it (code comments,
# the installed header, the README, docs, man pages, build files, tests) may
# point at something a reader of the repository cannot resolve: a design file
# outside the tree, a tracker's issue number, or a numbered risk of a document
# that is not here. The design is docs/ARCHITECTURE.md, the choices
# docs/DECISIONS.md. Tests may read third-party archives beside the tree
# (../shared/third_party), which is the one outside path allowed, in tests only.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
self=tests/packaging/test_references.sh
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; printf '%s\n' "$2" | sed 's/^/# /'; }

cd "$root" || exit 1
# The files of the tree: git's list in a checkout, else (a tarball) every file
# outside the build directories. The fuzz corpus is data, not prose.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files() { git ls-files -z; }
else
    files() { find . -type f ! -path './build*' ! -path './.git/*' -printf '%P\0'; }
fi
list=$(mktemp)
trap 'rm -f "$list"' EXIT
files | grep -zv -e '^tests/fuzz/corpus/' -e "^$self\$" >"$list"

# check NAME ERE [ALLOWED-ERE]: no line of the tree matches ERE (unless it also
# matches ALLOWED-ERE).
check() {
    local name=$1 re=$2 allowed=${3:-} hits
    hits=$(xargs -0 grep -nIE -- "$re" <"$list" 2>/dev/null)
    [ -z "$allowed" ] || hits=$(grep -vE -- "$allowed" <<<"$hits")
    if [ -z "$hits" ]; then ok "$name"; else nok "$name" "$hits"; fi
}

check "no reference to a design file outside the tree (DESIGN.md, DESIGN §N)" 'DESIGN(\.md|[[:space:]]*§)'
check "no path into ../shared, except third-party archives read by tests" \
    '\.\./shared|/work/shared|shared/DESIGN' '^tests/[^:]*:[0-9]+:.*shared/third_party'
check "no numbered risk of an outside document (\"seed risk N\", \"risk N\")" '[Ss]eed risk|[Rr]isk [0-9]'
check "no issue numbers (\"issue N\", \"#N\")" \
    '[Ii]ssues? #?[0-9]|(^|[[:space:](,;])#[0-9]+([^0-9A-Za-z]|$)'
# "seed" alone is fine where it means a fuzzing seed corpus or a hash seed.
check "no \"seed\" document or its sections" '[Ss]eed' \
    ':[0-9]+:.*([Ss]eed corpus|hash seed|Seeds: `tests/fuzz/corpus|seed=\$here/corpus|"\$seed"|\$seed\b)'

# The test itself must be able to fail: each pattern catches a planted line.
planted=$(mktemp -d)
printf '%s\n' '// see ../shared/DESIGN.md §3' 'risk 3 (seed risk 3)' 'fixed in issue 12' 'as in #12' >"$planted/x.cpp"
caught=$(grep -cE 'DESIGN(\.md|[[:space:]]*§)|\.\./shared|[Ss]eed risk|[Rr]isk [0-9]|[Ii]ssues? #?[0-9]|(^|[[:space:](,;])#[0-9]+([^0-9A-Za-z]|$)' "$planted/x.cpp")
rm -rf "$planted"
if [ "$caught" = 4 ]; then ok "the patterns catch planted references"; else nok "the patterns catch planted references" "caught $caught of 4"; fi
echo "1..$n"
[ "$failed" -eq 0 ]
