#!/usr/bin/env bash
# Builds the lab hosts on the machine it runs on: one network + mount + UTS namespace per host,
# joined by bridges, each with its own sshd and the daemons of its role.
# lab.sh runs it directly (direct tier) or it runs inside the lab VM as the guest's payload.
#
#   hosts.sh up | down | status
#   hosts.sh fault [--repair] <fault> <host>
#
# Environment: LAB_STATE (dir with id_ed25519.pub and hostkeys/, required for up),
# LAB_TIER (vm|direct: how 22xx ports reach the hosts), LAB_RUN (runtime dir).
set -euo pipefail

# lab.sh may stream topology.sh + hosts.sh over ssh (the VM caches the files it booted with).
if [[ -z ${LAB_HOSTS+set} ]]; then
  # shellcheck source=topology.sh
  source "$(dirname "${BASH_SOURCE[0]}")/topology.sh"
fi
RUN=${LAB_RUN:-/run/lvstop-lab}
TIER=${LAB_TIER:-direct}

log() { printf '[hosts] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

host_dir() { echo "$RUN/hosts/$1"; }
has_host() { [[ -e $RUN/ns/$1.mnt ]] && ip netns list 2>/dev/null | grep -qw "$(lab_netns "$1")"; }

# Run a command inside a host: its network, mount and UTS namespaces.
ns_exec() {
  local h=$1; shift
  nsenter --net="/run/netns/$(lab_netns "$h")" --mount="$RUN/ns/$h.mnt" --uts="$RUN/ns/$h.uts" -- "$@"
}
# Start a long-running process in a host, detached, output to the host's /tmp/<log>.log.
ns_spawn() {
  local h=$1 name=$2; shift 2
  ns_exec "$h" setsid -f sh -c 'exec "$@" >>"/tmp/$0.log" 2>&1 </dev/null' "$name" "$@"
}
ns_sysctl() { local h=$1; shift; ns_exec "$h" sysctl -q -w "$@"; }

# ---------------------------------------------------------------- features

have_ipvs() { [[ $(cat "$RUN/features" 2>/dev/null) == *ipvs=1* ]]; }
have_nfs() { [[ $(cat "$RUN/features" 2>/dev/null) == *nfs=1* ]]; }
detect_features() {
  local ipvs=0 nfs=0
  modprobe -q ip_vs 2>/dev/null && [[ -e /proc/net/ip_vs ]] && ipvs=1
  modprobe -q -a ip_vs_rr ip_vs_wlc ip_vs_sh 2>/dev/null || true
  if modprobe -q -a nfsd nfsv4 2>/dev/null && grep -qw nfsd /proc/filesystems && grep -qw nfs4 /proc/filesystems; then
    nfs=1
  fi
  modprobe -q -a veth bridge sch_netem 2>/dev/null || true
  echo "ipvs=$ipvs nfs=$nfs" >"$RUN/features"
  log "features: ipvs=$ipvs nfs=$nfs (tier $TIER)"
}

# ---------------------------------------------------------------- mount points on /
# Bind targets that do not exist on / are created and removed again at down.

ensure_dir() {
  local d=$1 p=""
  local part
  IFS=/ read -ra parts <<<"${d#/}"
  for part in "${parts[@]}"; do
    p="$p/$part"
    if [[ ! -d $p ]]; then
      mkdir "$p"
      echo "$p" >>"$RUN/created-dirs"
    fi
  done
}

# ---------------------------------------------------------------- networks

bridges_up() {
  local b
  for b in "${LAB_BRIDGE[@]}"; do
    ip link show "$b" >/dev/null 2>&1 || ip link add "$b" type bridge
    ip link set "$b" up
  done
  ip addr replace "$LAB_MGMT_GW/24" dev "${LAB_BRIDGE[mgmt]}"
}


host_routes() { # (re)apply addresses and routes of a host's lab links
  local h=$1 ns link net ifname addr
  ns=$(lab_netns "$h")
  for link in ${LAB_LINKS[$h]}; do
    IFS=: read -r net ifname addr <<<"$link"
    ip -n "$ns" link set "$ifname" up
    ip -n "$ns" addr replace "$addr" dev "$ifname"
  done
  if [[ -n ${LAB_DEFAULT_ROUTE[$h]:-} ]]; then
    ip -n "$ns" route replace default via "${LAB_DEFAULT_ROUTE[$h]}"
  fi
}


# 127.0.0.1:22xx (direct tier) or the guest's eth0:22xx (VM tier) -> mgmt address :22.
port_map_up() {
  port_map_down
  local h mgmt=${LAB_BRIDGE[mgmt]}
  iptables -w -t nat -N LVLAB_DNAT
  iptables -w -t nat -N LVLAB_SNAT
  if [[ $TIER == vm ]]; then
    sysctl -q -w net.ipv4.ip_forward=1
    iptables -w -t nat -A PREROUTING -j LVLAB_DNAT
  else
    sysctl -q -w "net.ipv4.conf.$mgmt.route_localnet=1"
    iptables -w -t nat -A OUTPUT -j LVLAB_DNAT
  fi
  iptables -w -t nat -A POSTROUTING -j LVLAB_SNAT
  for h in "${LAB_HOSTS[@]}"; do
    if [[ $TIER == vm ]]; then
      iptables -w -t nat -A LVLAB_DNAT -p tcp --dport "${LAB_PORT[$h]}" -j DNAT --to-destination "$(lab_mgmt_ip "$h"):22"
    else
      iptables -w -t nat -A LVLAB_DNAT -d 127.0.0.1 -p tcp --dport "${LAB_PORT[$h]}" -j DNAT --to-destination "$(lab_mgmt_ip "$h"):22"
    fi
  done
  # Replies must come back over mgmt0: the hosts' own default routes point into the lab.
  iptables -w -t nat -A LVLAB_SNAT -o "$mgmt" -j MASQUERADE
}

port_map_down() {
  local chain hook
  for hook in PREROUTING:LVLAB_DNAT OUTPUT:LVLAB_DNAT POSTROUTING:LVLAB_SNAT; do
    while iptables -w -t nat -D "${hook%%:*}" -j "${hook#*:}" 2>/dev/null; do :; done
  done
  for chain in LVLAB_DNAT LVLAB_SNAT; do
    iptables -w -t nat -F "$chain" 2>/dev/null || true
    iptables -w -t nat -X "$chain" 2>/dev/null || true
  done
}

# ---------------------------------------------------------------- per-host filesystem

data_target() { # where a host's role data is bound
  case $1 in
    real1 | real2) echo /web ;;
    web1 | web2) echo /var/www/html ;;
    nfs) echo /srv/wordpress ;;
  esac
}
prepare_mountpoints() {
  local h
  for h in "${LAB_HOSTS[@]}"; do [[ -z $(data_target "$h") ]] || ensure_dir "$(data_target "$h")"; done
  ensure_dir /etc/keepalived
  ensure_dir /var/lib/nfs
}

# Run "<fn> <arg>" for every arg at once; fail if any failed (the guest has few, slow CPUs).
run_parallel() {
  local fn=$1 arg pid failed=0
  local -A pids=()
  shift
  for arg in "$@"; do
    "$fn" "$arg" &
    pids[$!]=$arg
  done
  for pid in "${!pids[@]}"; do wait "$pid" || { log "$fn ${pids[$pid]} failed"; failed=1; }; done
  return $failed
}



# ---------------------------------------------------------------- sshd

# -r: no re-exec per connection, which costs a dynamic link of sshd under emulation.
SSHD_CMD=(/usr/sbin/sshd -r -f /run/lab/sshd_config -E /tmp/sshd.log)
start_sshd() { ns_exec "$1" "${SSHD_CMD[@]}"; }

# One host from nothing to sshd listening. Process launches are kept few on purpose: each costs
# ~0.1 s in the emulated guest.
host_base_up() {
  local h=$1 ns i d link net ifname addr outer root_cmds ns_cmds
  ns=$(lab_netns "$h")
  i=$(lab_index "$h")
  d=$(host_dir "$h")
  root_cmds="link add lvl${i}m type veth peer name mgmt0 netns $ns
link set lvl${i}m master ${LAB_BRIDGE[mgmt]} up"
  ns_cmds="link set lo up
link set mgmt0 up
addr add $(lab_mgmt_ip "$h")/24 dev mgmt0"
  for link in ${LAB_LINKS[$h]}; do
    IFS=: read -r net ifname addr <<<"$link"
    outer=lvl$i${net:0:1}
    root_cmds+="
link add $outer type veth peer name $ifname netns $ns
link set $outer master ${LAB_BRIDGE[$net]} up"
    ns_cmds+="
link set $ifname up
addr add $addr dev $ifname"
  done
  [[ -z ${LAB_DEFAULT_ROUTE[$h]:-} ]] || ns_cmds+="
route add default via ${LAB_DEFAULT_ROUTE[$h]}"
  ip -b - <<<"$root_cmds"
  ip -n "$ns" -b - <<<"$ns_cmds"

  mkdir -p "$d"/{tmp,run/lab/www,run/keepalived,run/sshd,root,keepalived,nfslib/v4recovery,data}
  chmod 1777 "$d/tmp"
  : >"$d/nfslib/etab"
  : >"$d/nfslib/rmtab"
  : >"$RUN/ns/$h.mnt"
  : >"$RUN/ns/$h.uts"
  [[ $h != nfs ]] ||
    echo "/srv/wordpress 10.18.11.0/24(rw,sync,no_root_squash,no_subtree_check,insecure,fsid=0)" >"$d/exports"
  write_sshd_config "$h"

  # Inside the new namespaces: hostname, sysctls, private directories, then sshd.
  # /run is bound last: the sources live under $RUN, which it hides.
  nsenter --net="/run/netns/$ns" -- \
    unshare --mount="$RUN/ns/$h.mnt" --uts="$RUN/ns/$h.uts" --propagation private -- bash -ec '
      h=$1 d=$2 data_target=$3 nsdir=$4
      shift 4
      umount -l "$nsdir" # drop copied handles of the other hosts namespaces
      umount -l /run/netns 2>/dev/null || true # lab plumbing, not part of a host
      echo "$h" >/proc/sys/kernel/hostname
      for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done
      mount --bind "$d/tmp" /tmp
      mount --bind "$d/root" /root
      mount --bind "$d/keepalived" /etc/keepalived
      mount --bind "$d/nfslib" /var/lib/nfs
      [[ -z $data_target ]] || mount --bind "$d/data" "$data_target"
      [[ ! -e $d/exports || ! -e /etc/exports ]] || mount --bind "$d/exports" /etc/exports
      mount --bind "$d/run" /run
      exec "$@"
    ' bash "$h" "$d" "$(data_target "$h")" "$RUN/ns" "${SSHD_CMD[@]}"
}

write_sshd_config() { # shell builtins only
  local h=$1 d k=$LAB_STATE/hostkeys/$1/ssh_host_ed25519_key
  d=$(host_dir "$h")/run/lab
  (
    umask 077
    printf '%s\n' "$(<"$k")" >"$d/ssh_host_ed25519_key"
    printf '%s\n' "$(<"$LAB_STATE/id_ed25519.pub")" >"$d/authorized_keys"
  )
  printf '%s\n' "$(<"$k.pub")" >"$d/ssh_host_ed25519_key.pub"
  cat >"$d/sshd_config" <<'EOF'
Port 22
ListenAddress 0.0.0.0
HostKey /run/lab/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile /run/lab/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
AcceptEnv LANG LC_*
AllowTcpForwarding yes
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
}

# ---------------------------------------------------------------- roles

# Every web server process of the host: busybox httpd, or the tarpit standing in for it (found in its namespace).
stop_httpd() {
  local pid args
  for pid in $(ip netns pids "$(lab_netns "$1")"); do
    args=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $args == "busybox httpd "* || $args == "/run/lab/httpd "* || $args == "perl -MIO::Socket::INET "* ]] &&
      kill -TERM "$pid" 2>/dev/null
  done
  return 0
}

# busybox httpd started through a link named httpd, so its processes are called httpd (as Apache's are) and run as
# www-data (uid 33) after binding :80: the user lvstop's NFS write check finds and writes as.
start_httpd() { # host page-text
  local h=$1
  printf '<html><body><h1>%s</h1></body></html>\n' "$2" >"$(host_dir "$h")/run/lab/www/index.html"
  chmod 755 "$(host_dir "$h")/run/lab"
  ln -sfn /bin/busybox "$(host_dir "$h")/run/lab/httpd"
  ns_spawn "$h" httpd /run/lab/httpd -f -p 80 -u www-data:www-data -h /run/lab/www
}

role_nat_director() {
  local h=nat-director rs
  ns_sysctl $h net.ipv4.ip_forward=1
  have_ipvs || { log "$h: no ip_vs in this kernel, IPVS services skipped"; return 0; }
  ns_exec $h sh -ec "
    ipvsadm -C
    ipvsadm -A -t $NAT_VIP:80 -s wlc -p 30
    ipvsadm -A -u $NAT_VIP:53 -s rr
    ipvsadm -A -f 1 -s sh
    for rs in 192.168.60.99 192.168.60.40; do
      ipvsadm -a -t $NAT_VIP:80 -r \$rs:80 -m -w 1
      ipvsadm -a -u $NAT_VIP:53 -r \$rs:53 -m -w 1
      ipvsadm -a -f 1 -r \$rs:80 -m -w 1
    done
    # fwmark 77 over IPv6 (no traffic): the console lists it as FWM 77 IPv6 and must act on it
    if ipvsadm -A -f 77 -6 -s rr; then
      for rs in fd00:60::99 fd00:60::40; do ipvsadm -a -f 77 -6 -r \"[\$rs]:80\" -m -w 1; done
    fi
  "
  # fwmark 1 = HTTP on the VIP's port 8080 (served by the real servers' port 80)
  ns_exec $h iptables -w -t mangle -A PREROUTING -d "$NAT_VIP" -p tcp --dport 8080 -j MARK --set-mark 1 ||
    log "$h: iptables mangle unavailable, fwmark service has no traffic"
}

role_rsyncd() { # real1
  local h=$1
  cat >"$(host_dir "$h")/run/lab/rsyncd.conf" <<'EOF'
uid = root
gid = root
use chroot = no
reverse lookup = no
pid file = /run/rsyncd.pid
log file = /tmp/rsyncd.log

[web]
    path = /web
    read only = no
    hosts allow = 192.168.60.0/24
EOF
}
start_rsyncd() { rm -f "$(host_dir "$1")/run/rsyncd.pid"; ns_exec "$1" rsync --daemon --config=/run/lab/rsyncd.conf; }

role_pusher() { # real2: push /web to real1 on every inotify event, heartbeat every second
  local h=$1 d
  d=$(host_dir "$h")/run/lab
  cat >"$d/lvstop-push-web.sh" <<'EOF'
#!/bin/bash
# Seed setup: inotifywait -mrq -e create,move,delete,modify /web, then rsync to real1::web.
# Events that arrive while one rsync runs are folded into the next run.
rsync -az --delete /web/ 192.168.60.99::web
inotifywait -mrq -e create,move,delete,modify /web | while read -r _; do
  while read -r -t 0.1 _; do :; done
  rsync -az --delete /web/ 192.168.60.99::web
done
EOF
  # One write a second and no process per write (bash's own clock; a read timeout on a FIFO nobody writes to
  # instead of sleep): the guest runs under emulation, where every fork costs. Without the FIFO: sleep.
  cat >"$d/lvstop-heartbeat.sh" <<'EOF'
#!/bin/bash
tick=/run/lab/heartbeat.tick
if { [ -p "$tick" ] || mkfifo "$tick"; } 2>/dev/null && exec 3<>"$tick"; then
  # A FIFO that does not block (some filesystems) must not turn this into a busy loop: then sleep as well.
  pause() {
    local t=${EPOCHREALTIME/./}
    read -r -t 1 -u 3 _
    ((${EPOCHREALTIME/./} - t >= 900000)) || sleep 1
  }
else
  pause() { sleep 1; }
fi
while :; do
  printf '%s\n' "${EPOCHREALTIME:-$(date +%s.%N)}" >/web/.lvstop-heartbeat
  pause
done
EOF
  chmod 755 "$d"/lvstop-*.sh
  mkdir -p "$(host_dir "$h")/data/attachments"
  echo "attachment from real2" >"$(host_dir "$h")/data/attachments/welcome.txt"
}
start_pusher() { ns_spawn "$1" lvstop-push-web /run/lab/lvstop-push-web.sh; }
start_heartbeat() { ns_spawn "$1" lvstop-heartbeat /run/lab/lvstop-heartbeat.sh; }

write_keepalived_config() { # host state priority
  local h=$1 state=$2 prio=$3 d
  d=$(host_dir "$h")/keepalived
  cat >"$d/notify.sh" <<'EOF'
#!/bin/sh
# keepalived notify: $1=INSTANCE|GROUP $2=name $3=state $4=priority
mkdir -p /run/keepalived
echo "$(date +%s) $2 $3" >>/run/keepalived/notify.log
EOF
  chmod 755 "$d/notify.sh"
  echo 0 >"$d/lvstop_prio"
  echo 0 >"$d/lvstop_fault"
  {
    cat <<EOF
! lvstop lab: $h
global_defs {
    router_id $h
    script_user root
    enable_script_security
$(have_ipvs && echo '    lvs_sync_daemon eth0 VI_WEB id 51')
}

! Written by the console to force a state at run time:
! lvstop_prio holds a signed delta added to the priority, lvstop_fault non-zero forces FAULT.
track_file lvstop_prio {
    file "/etc/keepalived/lvstop_prio"
    weight 1
    init_file 0
}
track_file lvstop_fault {
    file "/etc/keepalived/lvstop_fault"
    weight 0
    init_file 0
}

vrrp_instance VI_WEB {
    state $state
    interface eth0
    virtual_router_id 51
    priority $prio
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass lvs51
    }
    virtual_ipaddress {
        $DR_VIP/24 dev eth0
    }
    track_file {
        lvstop_prio
        lvstop_fault
    }
    notify /etc/keepalived/notify.sh
}
EOF
    if have_ipvs; then
      cat <<EOF

virtual_server $DR_VIP 80 {
    delay_loop 2
    lb_algo rr
    lb_kind DR
    persistence_timeout 50
    protocol TCP

    real_server 10.18.11.21 80 {
        weight 100
        TCP_CHECK {
            connect_timeout 3
            retry 3
            delay_before_retry 1
        }
    }
    real_server 10.18.11.22 80 {
        weight 100
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 3
            retry 3
            delay_before_retry 1
        }
    }
}
EOF
    fi
  } >"$d/keepalived.conf"
}

# keepalived flags: -n (no fork: the lab supervises it), -l -D -G (log to /tmp/keepalived.log, not
# syslog). Pid files stay at their defaults in the host's private /run (keepalived.pid,
# vrrp.pid, checkers.pid); dumps land in its private /tmp. No -I: a stop removes its IPVS table.
KEEPALIVED_FLAGS=(-n -l -D -G -f /etc/keepalived/keepalived.conf)

keepalived_pids() { # pids of a host's keepalived processes (main + children)
  local h=$1 pid
  for pid in $(ip netns pids "$(lab_netns "$h")" 2>/dev/null); do
    [[ $(comm_of "$pid") == keepalived ]] && echo "$pid"
  done
  return 0
}
wait_gone() { # pids... (up to 10 s)
  local i pid alive
  for ((i = 0; i < 100; i++)); do
    alive=0
    for pid in "$@"; do [[ -e /proc/$pid ]] && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  return 1
}
start_keepalived() {
  local h=$1 old
  old=$(keepalived_pids "$h")
  # shellcheck disable=SC2086
  [[ -z $old ]] || wait_gone $old || die "$h: old keepalived still running: $old"
  rm -f "$(host_dir "$h")"/run/{keepalived,vrrp,checkers,bfd}.pid
  ns_spawn "$h" keepalived keepalived "${KEEPALIVED_FLAGS[@]}"
}
stop_keepalived() { # host signal
  local h=$1 sig=$2 pids
  pids=$(keepalived_pids "$h")
  [[ -n $pids ]] || return 0
  if [[ $sig == KILL ]]; then
    # A crash of the whole keepalived at once: every process is stopped first, so none can act on the death of
    # another (a child cleaning up after its parent) before its own SIGKILL. Killed one after another on a busy
    # lab, director1 was once found without its VIP afterwards, which is not what a crash leaves.
    # shellcheck disable=SC2086
    kill -STOP $pids
    # shellcheck disable=SC2086
    kill -KILL $pids
  else
    kill -TERM "$(cat "$(host_dir "$h")/run/keepalived.pid" 2>/dev/null || echo "${pids%%$'\n'*}")"
  fi
  # shellcheck disable=SC2086
  wait_gone $pids || die "$h: keepalived did not exit"
}

role_dr_real_server() {
  local h=$1 i
  ns_exec "$h" ip addr replace "$DR_VIP/32" dev lo
  for i in all lo eth0; do
    ns_sysctl "$h" "net.ipv4.conf.$i.arp_ignore=1" "net.ipv4.conf.$i.arp_announce=2"
  done
}

NFS_OPTS_web1="vers=4.2,hard,timeo=100"
NFS_OPTS_web2="vers=4.2,soft,timeo=10,retrans=2"
mount_nfs() {
  local h=$1 opts i
  opts=NFS_OPTS_$h
  for ((i = 0; i < 30; i++)); do
    ns_exec "$h" mount -t nfs4 -o "${!opts}" 10.18.11.30:/ /var/www/html 2>/dev/null && return 0
    sleep 1
  done
  die "$h: NFS mount of 10.18.11.30:/ failed"
}

start_nfs_server() {
  local h=nfs d
  d=$(host_dir $h)/data
  mkdir -p "$d/wp-content/uploads"
  echo "<?php /* WordPress front controller (lab) */" >"$d/index.php"
  # The web servers run as www-data (uid 33 on every host): the export is theirs to write, as WordPress uploads need.
  chown 33:33 "$d" "$d/wp-content" "$d/wp-content/uploads"
  chmod 775 "$d"
  ns_exec $h sh -ec '
    mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd
    exportfs -r
  '
  # NFSv4 only (no rpcbind needed); short grace so clients can write soon after start
  ns_spawn $h rpc.mountd rpc.mountd -F -N 3 --no-udp
  ns_exec $h rpc.nfsd -N 3 --no-udp --grace-time 10 --lease-time 10 4
}

# ---------------------------------------------------------------- up / down

role_group() {
  case $1 in
    discuz)
      start_httpd real1 real1
      start_httpd real2 real2
      role_rsyncd real1
      start_rsyncd real1
      role_pusher real2
      start_pusher real2
      start_heartbeat real2
      role_nat_director
      ;;
    nfs-web)
      if have_nfs; then start_nfs_server; else log "no NFS in this kernel: nfs host exports nothing"; fi
      local h
      for h in web1 web2; do
        role_dr_real_server "$h"
        start_httpd "$h" "$h"
      done
      if have_nfs; then run_parallel mount_nfs web1 web2; fi
      ;;
    directors)
      write_keepalived_config director1 MASTER 100
      write_keepalived_config director2 BACKUP 90
      start_keepalived director1
      start_keepalived director2
      ;;
  esac
}

up() {
  [[ -n ${LAB_STATE:-} ]] || die "LAB_STATE is not set"
  local h start=$SECONDS
  if [[ -d $RUN ]]; then die "$RUN exists: run down first"; fi
  mkdir -p "$RUN/ns"
  # unshare --mount=FILE needs the file on a private mount
  mount --bind "$RUN/ns" "$RUN/ns"
  mount --make-private "$RUN/ns"
  detect_features
  log "features detected ($((SECONDS - start)) s)"
  bridges_up
  for h in "${LAB_HOSTS[@]}"; do ip netns add "$(lab_netns "$h")"; done
  prepare_mountpoints
  log "namespaces created ($((SECONDS - start)) s)"
  run_parallel host_base_up "${LAB_HOSTS[@]}"
  port_map_up
  log "namespaces and sshd up ($((SECONDS - start)) s)"

  run_parallel role_group discuz nfs-web directors
  date +%s >"$RUN/ready"
  log "hosts up ($((SECONDS - start)) s)"
}

kill_host_processes() {
  local ns=$1 pids i
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n $pids ]] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

down() {
  local h ns
  for h in "${LAB_HOSTS[@]}"; do
    ns=$(lab_netns "$h")
    if [[ -e $RUN/ns/$h.mnt ]] && ip netns list | grep -qw "$ns"; then
      case $h in
        web1 | web2) ns_exec "$h" umount -f -l /var/www/html 2>/dev/null || true ;;
        nfs) ns_exec "$h" rpc.nfsd 0 2>/dev/null || true ;;
      esac
    fi
    if ip netns list | grep -qw "$ns"; then
      kill_host_processes "$ns"
      ip netns del "$ns"
    fi
    umount "$RUN/ns/$h.mnt" "$RUN/ns/$h.uts" 2>/dev/null || true
  done
  for b in "${LAB_BRIDGE[@]}"; do ip link del "$b" 2>/dev/null || true; done
  port_map_down
  if [[ -f $RUN/created-dirs ]]; then
    tac "$RUN/created-dirs" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
  fi
  umount "$RUN/ns" 2>/dev/null || true
  rm -rf "$RUN"
  log "hosts down"
}

# ---------------------------------------------------------------- status

keepalived_state() {
  local h=$1 f
  f=$(host_dir "$h")/run/keepalived/notify.log
  if [[ -z $(keepalived_pids "$h") ]]; then echo "keepalived:stopped"; return; fi
  [[ -s $f ]] && echo "keepalived:$(tail -n1 "$f" | awk '{print $3}')" || echo "keepalived:starting"
}

comm_of() { # a process may be gone by the time it is read
  local c=""
  read -r c <"/proc/$1/comm" 2>/dev/null || true
  echo "$c"
}

status() {
  [[ -d $RUN ]] || { echo "lab hosts are not up"; return 1; }
  echo "$(cat "$RUN/features") tier=$TIER"
  printf '%-13s %-5s %-46s %-42s %s\n' HOST PORT DAEMONS ADDRESSES MOUNTS
  local h ns pid comms addrs mounts daemons
  for h in "${LAB_HOSTS[@]}"; do
    ns=$(lab_netns "$h")
    comms=""
    for pid in $(ip netns pids "$ns" 2>/dev/null); do comms+="$(comm_of "$pid") "; done
    daemons=$(tr ' ' '\n' <<<"$comms" | sed 's/^busybox$/httpd/; s/^lvstop-heartbea$/heartbeat/; s/^lvstop-push-web$/pusher/' |
      grep -E '^(sshd|keepalived|rsync|inotifywait|httpd|heartbeat|pusher|rpc.mountd)$' | sort -u | tr '\n' ' ' || true)
    [[ $h != nfs ]] || [[ $(ns_exec nfs cat /proc/fs/nfsd/threads 2>/dev/null || echo 0) == 0 ]] || daemons+="nfsd "
    [[ $h == director* ]] && daemons+="$(keepalived_state "$h")"
    addrs=$(ip -n "$ns" -o -4 addr show 2>/dev/null | awk '$2 != "mgmt0" && $4 != "127.0.0.1/8" {printf "%s:%s ", $2, $4}')
    mounts=""
    [[ -e $RUN/ns/$h.mnt ]] && mounts=$(ns_exec "$h" awk '$3 ~ /^nfs4?$/ {printf "%s on %s (%s) ", $1, $2, $3}' /proc/self/mounts 2>/dev/null || true)
    printf '%-13s %-5s %-46s %-42s %s\n' "$h" "${LAB_PORT[$h]}" "${daemons:-none}" "${addrs:--}" "${mounts:--}"
  done
}

# ---------------------------------------------------------------- faults

NETEM_ARGS=${LAB_NETEM:-delay 200ms 50ms loss 5%}

fault() {
  local repair=0
  if [[ ${1:-} == --repair ]]; then repair=1; shift; fi
  local name=${1:?fault name} h=${2:?host}
  has_host "$h" || die "no such lab host: $h"
  case $name:$repair in
    kill-sshd:0)
      # The listener and every session it forked: the host drops off the network for SSH.
      # A session being forked while the list is read escapes one pass: pass again until none is left (KILL
      # after the first second), so the host is really gone for SSH when the fault returns.
      local pass sig=TERM left
      for pass in $(seq 1 30); do
        left=0
        for pid in $(ip netns pids "$(lab_netns "$h")"); do
          if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]]; then
            kill -"$sig" "$pid" 2>/dev/null
            left=1
          fi
        done
        ((left)) || break
        ((pass >= 5)) && sig=KILL
        sleep 0.2
      done
      ((left == 0)) || die "kill-sshd: sshd still running on $h"
      ;;
    kill-sshd:1) [[ -e /proc/$(cat "$(host_dir "$h")/run/sshd.pid" 2>/dev/null || echo 0) ]] || start_sshd "$h" ;;
    stop-keepalived:0) stop_keepalived "$h" TERM ;;
    kill9-keepalived:0) stop_keepalived "$h" KILL ;;
    stop-keepalived:1 | kill9-keepalived:1)
      stop_keepalived "$h" TERM
      # a SIGKILLed MASTER leaves its VIP behind
      ns_exec "$h" ip addr del "$DR_VIP/24" dev eth0 2>/dev/null || true
      start_keepalived "$h"
      ;;
    block-nfs:0) ns_exec "$h" iptables -w -I INPUT -p tcp --dport 2049 -j DROP ;;
    block-nfs:1) while ns_exec "$h" iptables -w -D INPUT -p tcp --dport 2049 -j DROP 2>/dev/null; do :; done ;;
    netem:0)
      # shellcheck disable=SC2086
      ns_exec "$h" tc qdisc replace dev eth0 root netem $NETEM_ARGS
      ;;
    netem:1) ns_exec "$h" tc qdisc del dev eth0 root 2>/dev/null || true ;;
    stop-rsyncd:0) kill -TERM "$(cat "$(host_dir "$h")/run/rsyncd.pid")" ;;
    stop-rsyncd:1) [[ -e /proc/$(cat "$(host_dir "$h")/run/rsyncd.pid" 2>/dev/null || echo 0) ]] || start_rsyncd "$h" ;;
    link-down:0 | link-down:1)
      local link net ifname addr state=down
      ((repair)) && state=up
      for link in ${LAB_LINKS[$h]}; do
        IFS=: read -r net ifname addr <<<"$link"
        ip -n "$(lab_netns "$h")" link set "$ifname" "$state"
      done
      ((repair)) && host_routes "$h"
      ;;
    stop-httpd:0 | tarpit-httpd:0)
      # The web server gone (connections refused); tarpit: a listener that accepts and never answers in its place.
      stop_httpd "$h"
      [[ $name == tarpit-httpd ]] && ns_spawn "$h" tarpit perl -MIO::Socket::INET -e \
        '$s = IO::Socket::INET->new(LocalPort => 80, Listen => 128, ReuseAddr => 1) or die $!; push @c, $s->accept() while 1'
      ;;
    stop-httpd:1 | tarpit-httpd:1)
      stop_httpd "$h"
      start_httpd "$h" "$h"
      ;;
    host-dead:0)
      # A power loss as it looks from outside: every link down, management too (packets vanish, nothing resets a
      # connection), then sshd gone. The host's own daemons keep running behind the dead links, unseen.
      local link net ifname addr pid
      ip -n "$(lab_netns "$h")" link set mgmt0 down
      for link in ${LAB_LINKS[$h]}; do
        IFS=: read -r net ifname addr <<<"$link"
        ip -n "$(lab_netns "$h")" link set "$ifname" down
      done
      for pid in $(ip netns pids "$(lab_netns "$h")"); do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && kill -KILL "$pid" 2>/dev/null
      done
      ;;
    host-dead:1)
      ip -n "$(lab_netns "$h")" link set mgmt0 up
      host_routes "$h"
      [[ -e /proc/$(cat "$(host_dir "$h")/run/sshd.pid" 2>/dev/null || echo 0) ]] || start_sshd "$h"
      ;;
    hang-keepalived:0 | hang-keepalived:1)
      # A hung keepalived: every process stopped (no adverts, no dumps), as if wedged; repair lets it run again.
      local sig=STOP
      ((repair)) && sig=CONT
      # shellcheck disable=SC2086
      kill -$sig $(keepalived_pids "$h")
      ;;
    cpu-hog:0)
      # A busy host: one CPU-bound loop in the host's namespaces that ends by itself after LAB_HOG_SECONDS.
      ns_exec "$h" setsid -f sh -c 'echo $$ >/run/lab/cpu-hog.pid; exec timeout "$0" sh -c "while :; do :; done"' \
        "${LAB_HOG_SECONDS:-120}" </dev/null >/dev/null 2>&1
      ;;
    cpu-hog:1)
      local hog
      hog=$(cat "$(host_dir "$h")/run/lab/cpu-hog.pid" 2>/dev/null || true)
      # timeout passes the TERM on to the loop
      [[ -n $hog ]] && kill -TERM "$hog" 2>/dev/null
      rm -f "$(host_dir "$h")/run/lab/cpu-hog.pid"
      ;;
    nfs-uid-mismatch:0)
      # The export handed to another uid, as after a copy from a host where the web user is apache (uid 48): the web
      # servers' www-data (uid 33) can read but no longer create files. The owner and mode before are kept for repair.
      local d saved
      d=$(host_dir "$h")/data
      saved=$(host_dir "$h")/run/lab/nfs-uid-mismatch.saved
      [[ -e $saved ]] || stat -c '%u:%g %a' "$d" >"$saved"
      # The mode first: a reader between the two sees the old owner with the new mode (still writable), never uid 48
      # with the old group-writable mode, a state the fault does not mean.
      chmod 755 "$d"
      chown 48:48 "$d"
      ;;
    nfs-uid-mismatch:1)
      local d saved owner mode
      d=$(host_dir "$h")/data
      saved=$(host_dir "$h")/run/lab/nfs-uid-mismatch.saved
      if [[ -e $saved ]]; then
        read -r owner mode <"$saved"
        chown "$owner" "$d"
        chmod "$mode" "$d"
        rm -f "$saved"
      fi
      ;;
    *) die "unknown fault: $name (kill-sshd stop-keepalived kill9-keepalived hang-keepalived cpu-hog block-nfs netem stop-rsyncd link-down host-dead stop-httpd tarpit-httpd nfs-uid-mismatch)" ;;
  esac
  log "fault $name on $h: $( ((repair)) && echo repaired || echo injected)"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  fault) shift; fault "$@" ;;
  *) echo "usage: $0 up|down|status|fault [--repair] <fault> <host>" >&2; exit 2 ;;
esac
