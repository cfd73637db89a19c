#!/usr/bin/env bash
# lvstop test lab: a real LVS lab on this machine (sshd, ip_vs, keepalived, rsync+inotify, NFS).
#
#   lab.sh up                          bring the lab up (idempotent)
#   lab.sh status                      hosts, ports, daemons, VIPs, mounts
#   lab.sh down [--purge]              tear everything down (--purge also drops .lab-cache/)
#   lab.sh fault [--repair] <fault> <host>
#   lab.sh traffic [count] [seconds] [rate]   bounded client traffic through each VIP (rate: per second)
#   lab.sh demo-traffic <seconds>      the demo's paced traffic: a request a second per HTTP VIP, a datagram a second
#
# Two tiers run the same hosts.sh: "direct" (namespaces on this machine, when its kernel has
# ip_vs) and "vm" (a QEMU guest booted from Debian's stock kernel over this machine's own /).
# LVSTOP_LAB_TIER=vm|direct forces one. LVSTOP_LAB_VM_CPU names the guest's QEMU CPU model (default qemu64).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
STATE=$REPO/.lab
CACHE=$REPO/.lab-cache
# shellcheck source=topology.sh
source "$LAB_DIR/topology.sh"

VM_MEM=${LVSTOP_LAB_VM_MEM:-1024}
SSH_WAIT=${LVSTOP_LAB_SSH_WAIT:-300} # seconds for every host to answer after start

log() { printf '[lab] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
need_root() { [[ $(id -u) == 0 ]] || die "the lab needs root (namespaces, bridges, iptables)"; }

# A lab starved of CPU can take tens of seconds to exchange banners: fault and repair must not give up at 10.
lab_ssh() { ssh -F "$STATE/ssh_config" -o BatchMode=yes -o ConnectTimeout=60 "$@"; }
control_ssh() { ssh -F "$STATE/control_ssh_config" -o BatchMode=yes -o ConnectTimeout=60 lab-control "$@"; }
tier() { cat "$STATE/tier" 2>/dev/null || true; }

# ---------------------------------------------------------------- packages

declare -A PKG_FOR=(
  [busybox]=busybox-static [ipvsadm]=ipvsadm [keepalived]=keepalived [sshd]=openssh-server
  [ssh]=openssh-client [ssh-keygen]=openssh-client [rsync]=rsync [inotifywait]=inotify-tools
  [rpc.nfsd]=nfs-kernel-server [mount.nfs]=nfs-common [iptables]=iptables [ip]=iproute2
  [tc]=iproute2 [modprobe]=kmod [depmod]=kmod [cpio]=cpio [nsenter]=util-linux [timeout]=coreutils [curl]=curl
  # what the lab tests run beside the lab: terminals, Prometheus and node_exporter
  [tmux]=tmux [prometheus]=prometheus [promtool]=prometheus [prometheus-node-exporter]=prometheus-node-exporter
)
cmd_path() { PATH=$PATH:/usr/sbin:/sbin command -v "$1" >/dev/null 2>&1; }

ensure_packages() {
  local tier=$1 cmd missing=()
  local cmds=("${!PKG_FOR[@]}")
  [[ $tier == vm ]] && cmds+=(qemu-system-x86_64)
  PKG_FOR[qemu-system-x86_64]=qemu-system-x86
  for cmd in "${cmds[@]}"; do cmd_path "$cmd" || missing+=("${PKG_FOR[$cmd]}"); done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing: ${missing[*]}"
  # Nothing the lab installs may start as a service on this machine.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_update_once
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  ((made_policy)) && rm -f /usr/sbin/policy-rc.d
  return 0
}
APT_UPDATED=0
apt_update_once() { ((APT_UPDATED)) || { apt-get update -q >&2; APT_UPDATED=1; }; }

# ---------------------------------------------------------------- tier

pick_tier() {
  case ${LVSTOP_LAB_TIER:-} in
    vm | direct) echo "$LVSTOP_LAB_TIER"; return ;;
    "") ;;
    *) die "LVSTOP_LAB_TIER must be vm or direct" ;;
  esac
  if modprobe -q ip_vs 2>/dev/null && [[ -e /proc/net/ip_vs ]]; then echo direct; else echo vm; fi
}

# ---------------------------------------------------------------- keys and client config

gen_keys() {
  mkdir -p "$STATE/hostkeys"
  chmod 700 "$STATE"
  [[ -f $STATE/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C lvstop-lab -f "$STATE/id_ed25519"
  local h
  for h in "${LAB_HOSTS[@]}" control; do
    mkdir -p "$STATE/hostkeys/$h"
    [[ -f $STATE/hostkeys/$h/ssh_host_ed25519_key ]] ||
      ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$STATE/hostkeys/$h/ssh_host_ed25519_key"
  done
}

host_pubkey() { cut -d' ' -f1,2 "$STATE/hostkeys/$1/ssh_host_ed25519_key.pub"; }

write_client_config() {
  local h alias jump addr
  {
    for h in "${LAB_HOSTS[@]}"; do echo "[127.0.0.1]:${LAB_PORT[$h]} $(host_pubkey "$h")"; done
    for alias in "${!LAB_JUMP[@]}"; do
      read -r jump addr <<<"${LAB_JUMP[$alias]}"
      echo "$addr $(host_pubkey "${alias%-via-jump}")"
    done
    echo "[127.0.0.1]:$LAB_CONTROL_PORT $(host_pubkey control)"
  } >"$STATE/known_hosts"

  host_block() { # alias hostname port [jump]
    cat <<EOF
Host $1
  HostName $2
  Port $3
  User root
  IdentityFile $STATE/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking yes
EOF
    [[ -z ${4:-} ]] || echo "  ProxyJump $4"
    echo
  }
  {
    echo "# lvstop lab hosts (generated by test/lab/lab.sh)"
    for h in "${LAB_HOSTS[@]}"; do host_block "$h" 127.0.0.1 "${LAB_PORT[$h]}"; done
    for alias in $(printf '%s\n' "${!LAB_JUMP[@]}" | sort); do
      read -r jump addr <<<"${LAB_JUMP[$alias]}"
      host_block "$alias" "$addr" 22 "$jump"
    done
  } >"$STATE/ssh_config"
  host_block lab-control 127.0.0.1 "$LAB_CONTROL_PORT" >"$STATE/control_ssh_config"
  write_console_config
}

# The console's config. Paths are relative to this file's directory.
write_console_config() {
  cat >"$STATE/lvstop.json" <<'EOF'
{
  "sshConfig": "ssh_config",
  "knownHosts": "known_hosts",
  "pollIntervalMs": 2000,
  "commandTimeoutMs": 20000,
  "readOnly": false,
  "auditLog": "audit.jsonl",
  "eventLog": "events.jsonl",
  "hosts": {
    "nat-director": {}, "real1": {}, "real2": {}, "director1": {}, "director2": {}, "web1": {}, "web2": {}, "nfs": {}
  },
  "clusters": [
    { "name": "discuz", "mode": "nat",
      "directors": [ { "host": "nat-director", "dip": "192.168.60.1" } ],
      "healthProbes": { "default": { "kind": "http", "path": "/", "expect": [200] } },
      "vips": ["172.16.60.22"],
      "realServers": [ { "host": "real1", "address": "192.168.60.99" }, { "host": "real2", "address": "192.168.60.40" } ],
      "replication": [ { "name": "attachments", "source": { "host": "real2", "path": "/web" }, "replica": { "host": "real1", "path": "/web" },
                         "heartbeatFile": ".lvstop-heartbeat", "rsyncTarget": "192.168.60.99::web", "pusher": "inotifywait", "warnSeconds": 5, "criticalSeconds": 30 } ],
      "nfs": [] },
    { "name": "wordpress", "mode": "dr",
      "directors": [
        { "host": "director1", "keepalived": { "instances": ["VI_WEB"], "trackFiles": { "priority": "/etc/keepalived/lvstop_prio", "fault": "/etc/keepalived/lvstop_fault" }, "notifyLog": "/run/keepalived/notify.log" } },
        { "host": "director2", "keepalived": { "instances": ["VI_WEB"], "trackFiles": { "priority": "/etc/keepalived/lvstop_prio", "fault": "/etc/keepalived/lvstop_fault" }, "notifyLog": "/run/keepalived/notify.log" } } ],
      "vips": ["10.18.11.40"],
      "realServers": [ { "host": "web1", "address": "10.18.11.21" }, { "host": "web2", "address": "10.18.11.22" } ],
      "replication": [],
      "nfs": [ { "host": "web1", "mountpoint": "/var/www/html", "export": "10.18.11.30:/", "slowMs": 2000, "server": "nfs" },
               { "host": "web2", "mountpoint": "/var/www/html", "export": "10.18.11.30:/", "slowMs": 2000, "server": "nfs" } ] }
  ]
}
EOF
}

# ---------------------------------------------------------------- VM tier: kernel and initramfs

kernel_version() { # newest cached, else the one linux-image-amd64 points to
  local v
  v=$(ls "$CACHE/kernel" 2>/dev/null | sort -V | tail -n1)
  if [[ -z $v ]]; then
    apt_update_once
    v=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {sub("linux-image-", "", $2); print $2; exit}')
  fi
  [[ -n $v ]] || die "cannot tell which Debian kernel to use (apt-cache depends linux-image-amd64)"
  echo "$v"
}

fetch_kernel() { # version: download and unpack Debian's kernel package (never installed)
  local v=$1 dir=$CACHE/kernel/$1
  [[ -f $dir/boot/vmlinuz-$v && -f $dir/lib/modules/$v/modules.dep ]] && return 0
  log "fetching Debian kernel linux-image-$v into .lab-cache/ (not installed)"
  local tmp
  tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
  (cd "$tmp" && { apt-get download -q "linux-image-$v" >&2 || { apt_update_once && apt-get download -q "linux-image-$v" >&2; }; }) ||
    { rm -rf "$tmp"; die "apt-get download linux-image-$v failed"; }
  rm -rf "$dir"
  mkdir -p "$dir"
  dpkg-deb -x "$tmp"/linux-image-*.deb "$dir"
  rm -rf "$tmp"
  depmod -b "$dir" "$v"
}

build_initramfs() { # version -> path
  local v=$1 out=$CACHE/initramfs-$1.cpio.gz krn=$CACHE/kernel/$1
  if [[ -f $out && $out -nt $LAB_DIR/vm/initramfs-init ]]; then echo "$out"; return; fi
  local tmp m path
  tmp=$(mktemp -d)
  mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
  cp "$(command -v busybox)" "$tmp/bin/busybox"
  install -m 755 "$LAB_DIR/vm/initramfs-init" "$tmp/init"
  for m in virtio_pci virtio_net netfs fscache 9pnet 9pnet_virtio 9p overlay; do
    modprobe -d "$krn" -S "$v" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++' | while read -r path; do
    cp "$path" "$tmp/modules/"
    basename "$path" >>"$tmp/modules/order"
  done
  (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$tmp"
  echo "$out"
}

qemu_pid() { # recorded pid, only if it is still our QEMU
  local pid
  pid=$(cat "$STATE/qemu.pid" 2>/dev/null) || return 1
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "qemu-system-x86_64 .*lvstop-lab" || return 1
  echo "$pid"
}

start_vm() {
  local v initrd fwd h
  v=$(kernel_version)
  mkdir -p "$CACHE"
  fetch_kernel "$v"
  initrd=$(build_initramfs "$v")
  [[ $REPO != *' '* ]] || die "the repo path must not contain spaces (it is passed on the guest's kernel command line)"
  fwd="hostfwd=tcp:127.0.0.1:$LAB_CONTROL_PORT-:$LAB_CONTROL_PORT"
  for h in "${LAB_HOSTS[@]}"; do fwd+=",hostfwd=tcp:127.0.0.1:${LAB_PORT[$h]}-:${LAB_PORT[$h]}"; done
  rm -f "$STATE/console.log" "$STATE/qemu.pid"
  log "starting QEMU (TCG, kernel $v)"
  # A plain x86-64 CPU: under TCG, -cpu max's 5-level paging (la57) and AVX state (xsave on every context switch)
  # cost the guest a third more CPU at idle, a tenth more with a poller (bench/results/guest-cpu-model.json).
  qemu-system-x86_64 -name lvstop-lab \
    -accel tcg,thread=multi,tb-size=256 -cpu "${LVSTOP_LAB_VM_CPU:-qemu64}" -smp 2 -m "$VM_MEM" \
    -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$CACHE/kernel/$v/boot/vmlinuz-$v" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1 lvlab_init=$LAB_DIR/vm/guest-init.sh lvlab_state=$STATE lvlab_modules=$CACHE/kernel/$v/lib/modules/$v" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -netdev "user,id=n0,restrict=on,$fwd" -device virtio-net-pci,netdev=n0 \
    -serial "file:$STATE/console.log" \
    -daemonize -pidfile "$STATE/qemu.pid"
}

wait_vm_ready() { # until hosts.sh up has finished in the guest
  local deadline=$((SECONDS + SSH_WAIT))
  while ((SECONDS < deadline)); do
    qemu_pid >/dev/null || die "QEMU exited; see .lab/console.log"
    if grep -q 'LVLAB FAILED' "$STATE/console.log" 2>/dev/null; then
      grep -a 'LVLAB FAILED\|\[hosts\]' "$STATE/console.log" | tail -n 20 >&2
      die "guest setup failed; see .lab/console.log"
    fi
    grep -q 'LVLAB READY' "$STATE/console.log" 2>/dev/null && return 0
    sleep 1
  done
  die "guest not ready after ${SSH_WAIT}s; see .lab/console.log"
}

# ---------------------------------------------------------------- health

all_hosts_answer() { # every host and jump alias answers `ssh true`
  local h pids=() failed=0
  for h in "${LAB_HOSTS[@]}" "${!LAB_JUMP[@]}"; do
    lab_ssh -o ConnectTimeout=30 "$h" true 2>/dev/null &
    pids+=($!)
  done
  for h in "${pids[@]}"; do wait "$h" || failed=1; done
  return $failed
}

wait_ssh() {
  local deadline=$((SECONDS + SSH_WAIT))
  until all_hosts_answer; do
    ((SECONDS < deadline)) || die "not every host answers ssh after ${SSH_WAIT}s"
    sleep 1
  done
}

wait_for() { # seconds description command...
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out waiting for $what"
    sleep 1
  done
}

director1_is_master() { lab_ssh director1 "ip -4 -o addr show dev eth0 | grep -q ' $DR_VIP/'"; }

lab_running() { # something of the lab exists on this machine
  [[ -n $(tier) ]] || qemu_pid >/dev/null || ip link show "${LAB_BRIDGE[mgmt]}" >/dev/null 2>&1
}

# ---------------------------------------------------------------- commands

cmd_up() {
  need_root
  local start=$SECONDS t
  if lab_running; then
    if [[ -f $STATE/ssh_config ]] && all_hosts_answer; then
      log "lab already up ($(tier) tier); nothing to do"
      return 0
    fi
    log "a previous lab is half up; tearing it down first"
    cmd_down
  fi
  t=$(pick_tier)
  ensure_packages "$t"
  mkdir -p "$STATE"
  gen_keys
  write_client_config
  add_gitignore

  UP_DONE=0
  trap 'if ((UP_DONE == 0)); then up_failed; fi' EXIT
  echo "$t" >"$STATE/tier"
  if [[ $t == vm ]]; then
    start_vm
    wait_vm_ready
  else
    LAB_STATE=$STATE LAB_TIER=direct bash "$LAB_DIR/hosts.sh" up
  fi
  wait_ssh
  log "all hosts answer ssh ($((SECONDS - start)) s)"
  wait_for 30 "director1 to hold $DR_VIP" director1_is_master
  cmd_traffic 20 30 >&2
  UP_DONE=1
  trap - EXIT
  log "lab up: $t tier in $((SECONDS - start)) s"
  if [[ $t == vm ]]; then log "QEMU pid $(qemu_pid), RSS $(($(ps -o rss= -p "$(qemu_pid)") / 1024)) MB"; fi
  log "try: ssh -F .lab/ssh_config director1 ipvsadm -Ln"
}

up_failed() {
  if [[ -n ${LVSTOP_LAB_KEEP_FAILED:-} ]]; then
    log "bring-up failed; LVSTOP_LAB_KEEP_FAILED is set, leaving it up for inspection (lab.sh down)"
    return
  fi
  log "bring-up failed; tearing down"
  if [[ -f $STATE/console.log ]]; then
    mkdir -p "$CACHE" && cp "$STATE/console.log" "$CACHE/last-failed-console.log"
    log "guest console kept in .lab-cache/last-failed-console.log"
  fi
  cmd_down
}

add_gitignore() {
  local f=$REPO/.gitignore e
  for e in .lab/ .lab-cache/; do grep -qxF "$e" "$f" 2>/dev/null || echo "$e" >>"$f"; done
}

cmd_down() {
  need_root
  local pid t
  t=$(tier)
  if pid=$(qemu_pid); then
    log "stopping QEMU (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 50); do [[ -e /proc/$pid ]] || break; sleep 0.1; done
    [[ ! -e /proc/$pid ]] || kill -KILL "$pid"
  fi
  # direct tier (also cleans debris of an interrupted direct bring-up)
  if [[ $t == direct ]] || ip link show "${LAB_BRIDGE[mgmt]}" >/dev/null 2>&1 || [[ -d /run/lvstop-lab ]]; then
    LAB_TIER=direct bash "$LAB_DIR/hosts.sh" down
  fi
  rm -rf "$STATE" # keys, client config, and what the console wrote there (audit/event logs)
  if [[ ${1:-} == --purge ]]; then rm -rf "$CACHE"; fi
  log "lab down"
}

in_tier() { # run hosts.sh <args> where the hosts live
  case $(tier) in
    # streamed: the guest's 9p cache may still hold the scripts as they were at boot
    vm) cat "$LAB_DIR/topology.sh" "$LAB_DIR/hosts.sh" | control_ssh "LAB_TIER=vm bash -s -- $*" ;;
    direct) LAB_TIER=direct bash "$LAB_DIR/hosts.sh" "$@" ;;
    *) die "the lab is not up (test/lab/lab.sh up)" ;;
  esac
}

cmd_status() {
  local pid
  [[ -n $(tier) ]] || { echo "lab is down"; return 1; }
  echo "tier: $(tier)"
  if pid=$(qemu_pid); then echo "qemu: pid $pid, RSS $(($(ps -o rss= -p "$pid") / 1024)) MB"; fi
  echo "ssh: ssh -F $STATE/ssh_config <host>"
  in_tier status
}

cmd_fault() { in_tier fault "$@"; }

cmd_traffic() { # count seconds [rate]
  local count=${1:-200} seconds=${2:-60} rate=${3:-0}
  [[ -n $(tier) ]] || die "the lab is not up"
  [[ $count =~ ^[0-9]+$ && $seconds =~ ^[0-9]+$ && $rate =~ ^[0-9]+$ ]] || die "traffic: count, seconds and rate are whole numbers"
  # exec: whoever started this and ends it by its PID (a bench's clean-up) ends the ssh too; timeout passes it on.
  exec timeout $((seconds + 15)) ssh -F "$STATE/ssh_config" -o BatchMode=yes client bash -s -- "$count" "$seconds" "$rate" <"$LAB_DIR/traffic.sh"
}

# The demo's traffic (npm run demo and the benches that stand for it): enough to show a rate in every service, light
# enough to leave the emulated guest's CPU to the console (each request is a TCP connect, an httpd fork and the
# forwarding on both sides).
DEMO_TRAFFIC_RATE=1
cmd_demo_traffic() { cmd_traffic 20000 "${1:-60}" "$DEMO_TRAFFIC_RATE"; }

case ${1:-} in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  fault) shift; cmd_fault "$@" ;;
  traffic) shift; cmd_traffic "$@" ;;
  demo-traffic) shift; cmd_demo_traffic "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
