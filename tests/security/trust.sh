#!/usr/bin/env bash
# TAP suite: the trust checks of docs/ARCHITECTURE.md §2 step 2, run against the hook binary.
# The node config and the merged partition file must be regular files, owned by
# root, not writable by group or others, not reached through a symlink, and
# bounded in size; otherwise the hook refuses them, writes nothing, says why.
# Expected outcomes: docs/DECISIONS.md "Exit codes for each fault".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_hook "trust checks"
if [ "$(id -u)" -ne 0 ]; then
    echo "1..1"
    echo "ok 1 - trust checks # SKIP not root: cannot create root-owned and foreign-owned files"
    DONE=1
    exit 0
fi

# Control: the good world is applied, so the refusals below are not vacuous.
new_world
run_state "$(state)"
expect "control: a root-owned 0644 config and partition file are used" 0 yes

# which = config | partitions; the file the variant damages.
file_of() { if [ "$1" = config ]; then echo "$CFG"; else echo "$PARTS"; fi; }

for which in config partitions; do
    new_world
    f=$(file_of $which)
    chown 65534:65534 "$f"
    before
    run_state "$(state)"
    expect "$which file owned by a non-root user (uid 65534) is refused" 0 no "$f.*not by root"

    new_world
    f=$(file_of $which)
    chown 0:65534 "$f"
    before
    run_state "$(state)"
    expect "$which file owned by root, group 65534, mode 0644 is used" 0 yes

    new_world
    f=$(file_of $which)
    chmod 0664 "$f"
    before
    run_state "$(state)"
    expect "$which file group-writable (0664) is refused" 0 no "$f.*writable by group or others"

    new_world
    f=$(file_of $which)
    chmod 0646 "$f"
    before
    run_state "$(state)"
    expect "$which file world-writable (0646) is refused" 0 no "$f.*writable by group or others"

    new_world
    f=$(file_of $which)
    mv "$f" "$f.real"
    ln -s "$f.real" "$f"
    before
    run_state "$(state)"
    expect "$which file is a symlink to a good file: refused, not followed" 0 no "$f.*symlink"

    new_world
    f=$(file_of $which)
    rm "$f"
    mkfifo -m 0644 "$f"
    before
    run_state "$(state)"
    expect "$which file is a FIFO: refused without blocking" 0 no "$f.*FIFO"

    new_world
    f=$(file_of $which)
    rm "$f"
    mkdir -m 0755 "$f"
    before
    run_state "$(state)"
    expect "$which file is a directory: refused" 0 no "$f.*directory"

    new_world
    f=$(file_of $which)
    rm "$f"
    python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$f"
    chmod 0644 "$f"
    before
    run_state "$(state)"
    expect "$which file is a unix socket: refused" 0 no "$f.*socket"

    new_world
    f=$(file_of $which)
    rm "$f"
    mknod -m 0644 "$f" c 1 3 # /dev/null
    before
    run_state "$(state)"
    expect "$which file is a character device (/dev/null): refused" 0 no "$f.*character device"

    # A 100 MB file: over the 1 MiB limit, refused from its size before any read.
    # Malformed config -> 2 for a pod that activates a partition; malformed
    # partition file -> failurePolicy (fail -> 1).
    new_world
    f=$(file_of $which)
    truncate -s 100M "$f"
    before
    run_state "$(state)"
    want=2
    [ $which = partitions ] && want=1
    expect "$which file of 100 MB is refused quickly (size limit)" $want no "$f.*larger than the limit"
    [ "$ELAPSED_MS" -lt 3000 ] && tap_ok "$which file of 100 MB: refused in under 3 s (${ELAPSED_MS} ms)" ||
        tap_fail "$which file of 100 MB: refused in under 3 s" "took ${ELAPSED_MS} ms"

    # A setuid/setgid/sticky mode bit does not make a file writable: used.
    new_world
    f=$(file_of $which)
    chmod 1644 "$f"
    run_state "$(state)"
    expect "$which file mode 1644 (sticky, not writable by others) is used" 0 yes
done

# The refusal is the same for a pod that does not activate a partition: exit 0,
# nothing written, and it never fails a container.
new_world
chmod 0666 "$CFG"
before
run_state "$(state '"io.kubernetes.container.name": "app"')"
expect "world-writable config, container without a partition: exit 0, nothing written" 0 no

# A good config that names an untrusted partition file through partitionsFile.
new_world
cp "$PARTS" "$W/etc/p2.json"
chown 1000:1000 "$W/etc/p2.json"
sed -i "s|$PARTS|$W/etc/p2.json|" "$CFG"
before
run_state "$(state)"
expect "partitionsFile pointing at a file owned by uid 1000 is refused" 0 no "p2.json.*not by root"

# The config is absent: the hook is off (exit 0), nothing written.
new_world
rm "$CFG"
before
run_state "$(state)"
expect "config file absent: the hook does nothing" 0 no

# enabled: false wins even with a partition-activating pod.
new_world
write_config '"enabled": false'
before
run_state "$(state)"
expect "config enabled:false: nothing written" 0 no

tap_done
