#!/usr/bin/env bash
# Builds the test node's disk image, or finds it in the cache, and prints the
# directory that holds it: root.img (ext4, raw), vmlinuz, initrd.img.
#
#   tests/node/image.sh [--rebuild]
#
# The image is Debian 12 (debootstrap --variant=minbase of the packages in
# tests/node/packages.txt, from the default Debian mirror) with systemd as PID 1,
# plus the runner unit of tests/node/guest/. mke2fs -d turns the tree into a disk
# image without a loop mount. It is cached under $NODE_CACHE (default
# /var/cache/workload-partitioning/node-image), keyed by the hash of the package
# list, this script and tests/node/guest/*: a change to any of them builds a new
# image; unchanged, the cached one is used (boots use a copy-on-write overlay and
# never write to it). Downloaded .debs are kept in $NODE_CACHE/debs, so a rebuild
# after a package-list change downloads only what is new. Needs root.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${NODE_CACHE:-/var/cache/workload-partitioning/node-image}
suite=bookworm
size=${NODE_IMAGE_SIZE:-3G}

key=$(cat "$here/packages.txt" "$here/image.sh" "$here"/guest/* | sha256sum | cut -c1-16)
dir=$cache/$key
if [ "${1-}" != --rebuild ] && [ -f "$dir/ok" ]; then
    touch "$dir/ok" # last use, for pruning
    echo "$dir"
    exit 0
fi

mkdir -p "$cache"
# One builder at a time; a second waits and then finds the image built.
exec 9>"$cache/.lock"
flock 9
if [ "${1-}" != --rebuild ] && [ -f "$dir/ok" ]; then
    echo "$dir"
    exit 0
fi

# Left by a builder that was killed (we hold the lock: nobody else is building).
rm -rf --one-file-system "$cache"/.build.*
pkgs=$(sed 's/#.*//' "$here/packages.txt" | tr -s ' \t\n' '\n' | grep -v '^$' | paste -sd, -)
tmp=$(mktemp -d "$cache/.build.XXXXXX")
root=$tmp/rootfs
mkdir -p "$cache/debs"
start=$SECONDS
echo "image: debootstrap $suite ($pkgs) into $root" >&2
# Two stages, so that dpkg can be told not to fsync every file of the second one
# (force-unsafe-io: the tree is thrown away on any failure anyway).
# shellcheck disable=SC2317 # called by the trap
umount_root() { { grep -F " $root/" /proc/mounts || true; } | cut -d' ' -f2 | sort -r | xargs -r umount -l; }
trap 'umount_root; rm -rf --one-file-system "$tmp"' EXIT
debootstrap_failed() {
    echo "image: debootstrap failed; last lines of its log:" >&2
    tail -n 30 "$tmp/debootstrap.log" >&2
    tail -n 30 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
    exit 1
}
debootstrap --foreign --variant=minbase --cache-dir="$cache/debs" --include="$pkgs" \
    "$suite" "$root" >"$tmp/debootstrap.log" 2>&1 || debootstrap_failed
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/wp-unsafe-io"
# A small initrd, made once by the kernel's postinst: only what finds a virtio root
# disk (the default, MODULES=most, is 37 MB that the VM unpacks at every boot).
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/wp-node.conf"
printf '%s\n' virtio_pci virtio_blk crc32c_generic ext4 >"$root/usr/share/initramfs-tools/modules.d/wp-node"
chroot "$root" /debootstrap/debootstrap --second-stage >>"$tmp/debootstrap.log" 2>&1 || debootstrap_failed
umount_root
rm -f "$root/etc/dpkg/dpkg.cfg.d/wp-unsafe-io"
echo "image: debootstrap took $((SECONDS - start)) s" >&2

# A fixed machine id: no first-boot logic (systemd-firstboot would prompt on the console).
echo 0123456789abcdef0123456789abcdef >"$root/etc/machine-id"
echo wp-node >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 wp-node\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n' >"$root/etc/fstab"
# No root password (the serial console logs root in; the VM has no network).
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"

install -m 0755 "$here/guest/wp-node-runner" "$root/usr/local/sbin/wp-node-runner"
install -m 0644 "$here/guest/wp-node-runner.service" "$root/etc/systemd/system/wp-node-runner.service"
ln -sf /etc/systemd/system/wp-node-runner.service "$root/etc/systemd/system/multi-user.target.wants/"
install -D -m 0644 "$here/guest/autologin.conf" "$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"
# Nothing that slows the boot or waits for what a throw-away VM never has.
for u in systemd-firstboot.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer dpkg-db-backup.timer \
    systemd-timesyncd.service podman-auto-update.timer podman-restart.service \
    podman-clean-transient.service podman.service podman.socket podman-auto-update.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$u"
done
cp -L "$root/vmlinuz" "$tmp/vmlinuz"
cp -L "$root/initrd.img" "$tmp/initrd.img"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/* "$root/debootstrap"

start=$SECONDS
mke2fs -q -t ext4 -d "$root" -L root "$tmp/root.img" "$size" >&2
echo "image: mke2fs took $((SECONDS - start)) s ($(du -sh --apparent-size "$root" | cut -f1) of files)" >&2
rm -rf --one-file-system "$root"
cp "$here/packages.txt" "$tmp/packages.txt"
date -u +%FT%TZ >"$tmp/ok"

rm -rf --one-file-system "$dir"
mv "$tmp" "$dir"
trap - EXIT
# Images of other keys unused for 14 days go (other branches may use other keys meanwhile).
find "$cache" -mindepth 2 -maxdepth 2 -name ok -mtime +14 -printf '%h\n' |
    while IFS= read -r old; do [ "$old" = "$dir" ] || rm -rf --one-file-system "$old"; done
echo "$dir"
