#!/bin/bash
# Lab VM payload, run once by busybox init after switch_root: basic mounts, the guest's
# network toward QEMU's user net, the lab control sshd, then the lab hosts (hosts.sh up).
set -euo pipefail
LAB_STATE=$1
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$LAB_DIR/topology.sh"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# The links udev makes on a booted Debian host (bash's process substitution opens /dev/fd/N).
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
# Fresh /run, /tmp; /root and /mnt of the machine below stay hidden (dotfiles, foreign mounts).
# The checkout (and .lab/ in it) may itself live below one of them, as a CI clone in /tmp does: keep it visible
# by parking a bind mount of it and putting it back at its path afterwards.
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
mkdir -p /.lvlab-repo
mount --bind "$REPO_DIR" /.lvlab-repo
for d in /run /tmp /root /mnt /var/tmp; do mount -t tmpfs -o mode=755 tmpfs "$d"; done
chmod 1777 /tmp /var/tmp
if [[ ! -d $LAB_DIR ]]; then
  mkdir -p "$REPO_DIR"
  mount --bind /.lvlab-repo "$REPO_DIR"
fi
mkdir -p /run/lock
hostname lvlab-vm
trap 'echo "LVLAB FAILED: guest-init line $LINENO"' ERR

ip link set lo up
modprobe virtio_net
eth=$(ls /sys/class/net | grep -v -e '^lo$' | head -n1)
ip link set "$eth" name eth0
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up

# Control sshd: root namespace, port 2200, same client key; lab.sh runs hosts.sh through it.
mkdir -p /run/lab-control /run/sshd
install -m 600 "$LAB_STATE/hostkeys/control/ssh_host_ed25519_key" /run/lab-control/
install -m 600 "$LAB_STATE/id_ed25519.pub" /run/lab-control/authorized_keys
cat >/run/lab-control/sshd_config <<EOT
Port $LAB_CONTROL_PORT
HostKey /run/lab-control/ssh_host_ed25519_key
PidFile /run/lab-control/sshd.pid
AuthorizedKeysFile /run/lab-control/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
EOT
/usr/sbin/sshd -f /run/lab-control/sshd_config -E /run/lab-control/sshd.log

echo "LVLAB BOOTED $(cut -d' ' -f1 /proc/uptime)"
if LAB_STATE=$LAB_STATE LAB_TIER=vm bash "$LAB_DIR/hosts.sh" up; then
  echo "LVLAB READY $(cut -d' ' -f1 /proc/uptime)"
else
  echo "LVLAB FAILED: hosts.sh up"
fi
