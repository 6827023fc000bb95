# shellcheck shell=bash
# Host side of the node suite: the 9p share and the boot of the test node VM.
# Used by tests/node/run.sh (make test-node) and tests/node/shell.sh (make node-shell).
#
# Required before use: NODE_REPO (repository root), BUILD (absolute build directory).

NODE_DIR=$NODE_REPO/tests/node
NODE_CACHE=${NODE_CACHE:-/var/cache/workload-partitioning/node-image}
export NODE_CACHE

# Why the node VM cannot run here, or "" when it can.
node_cannot_run() {
    local t
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (debootstrap and the image build need root)"
        return
    fi
    for t in qemu-system-x86_64 debootstrap mke2fs busybox; do
        command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null 2>&1 || {
            echo "$t not found (scripts/install-deps.sh installs qemu-system-x86, debootstrap, e2fsprogs, busybox-static)"
            return
        }
    done
    if [ ! -x "$BUILD/workload-partitioning-hook" ]; then
        echo "hook not built: $BUILD/workload-partitioning-hook"
    elif LC_ALL=C readelf -l "$BUILD/workload-partitioning-hook" 2>/dev/null | grep -q 'Requesting program interpreter'; then
        # A SANITIZE build links the hook dynamically; the VM has none of the host's libraries.
        echo "the hook in $BUILD is dynamically linked (a SANITIZE build); the VM runs only a static hook"
    fi
}

# Fills directory $1 with the share: the files of share.d/*.list (@BUILD@ is $BUILD,
# @CRIO_BIN@ the directory of the built CRI-O binaries when CRIO_BIN is set; a line naming
# @CRIO_BIN@ without it counts as a missing file), the in-VM suite
# (suite/), the containers' busybox rootfs (made here: 300 symlinks cost the VM
# seconds), and out/ for what the VM writes back.
node_prepare_share() {
    local share=$1 list src dst opt
    mkdir -p "$share/out"
    for list in "$NODE_DIR"/share.d/*.list; do
        while read -r src dst opt; do
            case $src in '' | '#'*) continue ;; esac
            src=${src//@BUILD@/$BUILD}
            if [[ $src == *@CRIO_BIN@* ]]; then
                if [ -n "${CRIO_BIN-}" ]; then src=${src//@CRIO_BIN@/$CRIO_BIN}; else src=/nonexistent/$src; fi
            fi
            case $src in /*) ;; *) src=$NODE_REPO/$src ;; esac
            if [ ! -e "$src" ]; then
                [ "$opt" = optional ] && continue
                echo "node: $list names $src, which does not exist" >&2
                return 1
            fi
            mkdir -p "$(dirname "$share/$dst")"
            cp -a "$src" "$share/$dst"
        done <"$list"
    done
    cp -a "$NODE_DIR/suite" "$share/suite"
    (
        # shellcheck source=tests/e2e/lib.sh
        . "$NODE_REPO/tests/e2e/lib.sh"
        e2e_make_rootfs "$share/rootfs"
    )
}

# The accelerator to boot with: NODE_ACCEL (tcg, kvm or auto; default auto). auto is
# kvm only where a probe boot of this image on KVM finished within
# NODE_KVM_PROBE_TIMEOUT seconds (nested KVM often hangs); the verdict is cached
# per host kernel, qemu and image.
node_accel() { # IMAGE-DIR
    local want=${NODE_ACCEL:-auto} verdict key log
    [ "$want" = auto ] || { echo "$want"; return; }
    if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        echo tcg
        return
    fi
    key=$(printf '%s %s %s' "$(uname -r)" "$(qemu-system-x86_64 --version | head -1)" "$1" | sha256sum | cut -c1-16)
    verdict=$NODE_CACHE/kvm-probe.$key
    if [ ! -f "$verdict" ]; then
        log=$(mktemp /tmp/wp-node-probe.XXXXXX)
        if NODE_ACCEL=kvm node_boot probe "$1" "" "$log" "${NODE_KVM_PROBE_TIMEOUT:-30}" 2>/dev/null &&
            grep -q 'wp-node-runner: booted (mode probe)' "$log"; then
            echo kvm >"$verdict"
        else
            echo tcg >"$verdict"
        fi
        rm -f "$log"
    fi
    cat "$verdict"
}

# Boots the image in IMAGE-DIR with the share SHARE (none when ""), the guest in mode
# MODE (test, shell or probe, see guest/wp-node-runner). The disk is a copy-on-write
# snapshot (snapshot=on: writes go to a temporary overlay that qemu deletes), so the
# cached image is never written. test and probe: the serial console goes to LOG, and
# the VM is killed after TIMEOUT seconds (exit 124); shell: the console is this
# terminal (Ctrl-a x quits). Returns qemu's exit code.
#   node_boot MODE IMAGE-DIR SHARE LOG TIMEOUT
node_boot() {
    local mode=$1 img=$2 share=$3 log=$4 limit=${5:-600} accel args
    accel=${NODE_ACCEL:-tcg}
    [ "$accel" = tcg ] && accel=tcg,thread=multi
    args=(-accel "$accel" -smp "${NODE_CPUS:-2}" -m "${NODE_MEMORY:-2048}" -no-reboot
        -kernel "$img/vmlinuz" -initrd "$img/initrd.img"
        -append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.unified_cgroup_hierarchy=1 wp.mode=$mode"
        -drive "file=$img/root.img,if=virtio,format=raw,snapshot=on" -nic none)
    [ -z "$share" ] || args+=(-virtfs "local,path=$share,mount_tag=host,security_model=none")
    # -nodefaults: no VGA, parallel port or CD-ROM to probe at every boot.
    if [ "$mode" = shell ]; then
        qemu-system-x86_64 "${args[@]}" -nodefaults -nographic -serial mon:stdio
    else
        timeout -k 10 "$limit" qemu-system-x86_64 "${args[@]}" -nodefaults -display none \
            -serial "file:$log" </dev/null
    fi
}
