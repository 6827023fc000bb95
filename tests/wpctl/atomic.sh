#!/usr/bin/env bash
# A reader never sees a partial merged file: the hook runs in a loop while
# `wpctl merge` rewrites the file it reads 200 times. A control run with an
# in-place (non-atomic) writer shows that the reader does catch partial files.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL" "$HOOK"
need_root

REWRITES=${WPCTL_ATOMIC_REWRITES:-200}

setup() {
    fake_node
    crio_state management
    echo '{"management": {"cpuset": "0-1"}}' >"$W/pin"
    wp_object small names management >"$W/a.yaml"
    # A large input: 400 more partitions, so that the file is tens of KiB.
    local names=(management) i
    for i in $(seq 1 400); do names+=("partition-number-$i"); done
    wp_object large partitions "${names[@]}" >"$W/b.yaml"
    "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" "$W/a.yaml" 2>/dev/null
    "$WPCTL" merge -n -o "$W/etc/partitions.json" --pinning "$W/pin" "$W/b.yaml" >"$W/large.json" 2>/dev/null
    cp "$W/etc/partitions.json" "$W/small.json"
    [[ $(stat -c %s "$W/large.json") -gt 32768 ]] || die "large input is only $(stat -c %s "$W/large.json") bytes"
}

# reader: runs the hook until $W/stop exists; counts runs and failures (an exit
# code other than 0, or a container not pinned to 0-1).
reader() {
    local n=0 bad=0 leaf=$W/cg/cpuset/${POD_PATH#/}/cpuset.cpus
    while [[ ! -e "$W/stop" ]]; do
        echo 0-3 >"$leaf"
        if ! "$HOOK" --config "$W/etc/config.json" <"$W/state.json" >/dev/null 2>"$W/reader.err" ||
            [[ $(tr -d '\n' <"$leaf") != 0-1 ]]; then
            bad=$((bad + 1))
            cp "$W/reader.err" "$W/reader.lasterr"
        fi
        n=$((n + 1))
    done
    echo "$n $bad" >"$W/reader.result"
}

test_hook_never_sees_a_partial_file_during_200_rewrites() {
    setup
    reader &
    local rpid=$! i wrote=0
    for i in $(seq 1 "$REWRITES"); do
        local input=$W/a.yaml
        ((i % 2)) && input=$W/b.yaml
        "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" --allow-removal "$input" 2>"$W/merge.err" ||
            { touch "$W/stop"; wait "$rpid"; die "merge $i failed: $(cat "$W/merge.err")"; }
        grep -q "wrote $W/etc/partitions.json" "$W/merge.err" && wrote=$((wrote + 1))
    done
    touch "$W/stop"
    wait "$rpid"
    local runs bad
    read -r runs bad <"$W/reader.result"
    echo "# $wrote rewrites, $runs hook runs, $bad failures"
    [[ $wrote == "$REWRITES" ]] || die "only $wrote of $REWRITES merges rewrote the file"
    [[ $runs -ge 20 ]] || die "only $runs hook runs overlapped the rewrites"
    [[ $bad == 0 ]] || die "$bad of $runs hook runs failed; last: $(cat "$W/reader.lasterr")"
    [[ -z $(find "$W/etc" -name '.partitions.json.tmp.*') ]] || die "temporary files left behind"
}

test_control_reader_catches_an_in_place_writer() {
    setup
    reader &
    local rpid=$! i size half
    size=$(stat -c %s "$W/large.json")
    half=$((size / 2))
    for i in $(seq 1 40); do
        # Truncate, write half, pause, write the rest: what a naive writer does.
        head -c "$half" "$W/large.json" >"$W/etc/partitions.json"
        sleep 0.02
        tail -c +"$((half + 1))" "$W/large.json" >>"$W/etc/partitions.json"
        sleep 0.005
    done
    touch "$W/stop"
    wait "$rpid"
    local runs bad
    read -r runs bad <"$W/reader.result"
    echo "# control: $runs hook runs, $bad failures"
    [[ $bad -gt 0 ]] || die "the reader did not notice an in-place writer in $runs runs: the main test proves nothing"
}

test_concurrent_merges_are_serialized() {
    mkdir -p "$W/etc"
    echo '{}' >"$W/pin"
    local i pids=()
    for i in $(seq 1 12); do
        wp_object "obj-$i" names "p-$i" >"$W/in-$i.yaml"
    done
    for i in $(seq 1 12); do
        "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" --allow-removal "$W/in-$i.yaml" \
            2>"$W/err-$i" &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || die "merge $((i + 1)) failed: $(cat "$W/err-$((i + 1))")"
    done
    "$WPCTL" validate "$W/etc/partitions.json" >/dev/null || die "the result does not validate"
    [[ $(jq '.partitions | length' "$W/etc/partitions.json") == 1 ]] || die "$(cat "$W/etc/partitions.json")"
    [[ -z $(find "$W/etc" -name '.partitions.json.tmp.*') ]] || die "temporary files left behind"
    # Every merge that ran after another saw its result and removed it (each
    # input names one partition): 11 removals in all.
    [[ $(cat "$W"/err-* | grep -c 'removed (--allow-removal)') == 11 ]] ||
        die "removals: $(cat "$W"/err-* | grep -c 'removed (--allow-removal)')"
}

t "the hook never sees a partial file while wpctl merge rewrites it $REWRITES times" test_hook_never_sees_a_partial_file_during_200_rewrites
t "control: the same reader catches a non-atomic in-place writer" test_control_reader_catches_an_in_place_writer
t "concurrent merges are serialized: each sees the previous one's result" test_concurrent_merges_are_serialized
done_testing
