#!/usr/bin/env bash
# Captures the collectors' commands on the lab hosts in several states, for parser tests.
#   test/lab/capture-fixtures.sh [outdir=test/fixtures]
# Writes <outdir>/<state>/<host>/<name>.txt (stdout), <name>.stderr.txt (when not empty) and a
# README.md per state with one row per capture (host, command, exit code). Needs the lab up
# (lab.sh up); leaves it healthy again.
set -euo pipefail

# name | hosts | command (run by the remote shell with LC_ALL=C)
CAPTURES=(
  "ipvsadm-Ln|nat-director director1 director2 real1|ipvsadm -Ln --exact"
  "ipvsadm-Ln-stats|nat-director director1 director2|ipvsadm -Ln --stats --exact"
  "ipvsadm-Ln-rate|nat-director director1 director2|ipvsadm -Ln --rate --exact"
  "ipvsadm-Ln-timeout|nat-director director1|ipvsadm -Ln --timeout"
  "proc-net-ip_vs|nat-director director1 director2|cat /proc/net/ip_vs"
  "proc-net-ip_vs_stats|nat-director director1 director2|cat /proc/net/ip_vs_stats"
  "proc-net-ip_vs_conn|nat-director director1|head -n 40 /proc/net/ip_vs_conn"
  "keepalived-json|director1 director2|@keepalived_dump JSON /tmp/keepalived.json"
  "keepalived-data|director1 director2|@keepalived_dump DATA /tmp/keepalived.data"
  "keepalived-stats|director1 director2|@keepalived_dump STATS /tmp/keepalived.stats"
  "keepalived-notify-log|director1 director2|cat /run/keepalived/notify.log"
  "ip-j-addr|nat-director real1 real2 director1 director2 web1 web2 nfs|ip -j addr"
  "ip-j-route-default|nat-director real1 real2 director1 director2 web1 web2 nfs|ip -j route show default"
  "sysctl-lvs|nat-director real1 director1 web1 web2|sysctl net.ipv4.ip_forward net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce net.ipv4.conf.lo.arp_ignore net.ipv4.conf.lo.arp_announce"
  "proc-mounts|web1 web2 nfs|cat /proc/mounts"
  "proc-self-mountstats|web1 web2|cat /proc/self/mountstats"
  "proc-loadavg-uptime-meminfo|nat-director director1|cat /proc/loadavg /proc/uptime /proc/meminfo"
  "uname-r|nat-director|uname -r"
  "proc-modules-ip_vs|nat-director|grep -E '^(ip_vs|nf_conntrack|nfsd|nfsv4) ' /proc/modules"
  "lsmod-ip_vs|nat-director|lsmod | grep ip_vs"
  "heartbeat|real1 real2|cat /web/.lvstop-heartbeat"
  "rsync-dry-run|real2|rsync -n -a --delete --itemize-changes --stats /web/ 192.168.60.99::web"
)

# States: name|description. Each has enter_<name> and leave_<name> below.
STATES=(
  "healthy|lab just up, after a client traffic burst"
  "failover|keepalived stopped (SIGTERM) on director1; director2 took over the VIP"
  "nfs-blocked|iptables DROP of tcp/2049 on the nfs host for 8 s (web1 hard, web2 soft mount)"
  "rsyncd-down|rsync daemon stopped on real1; real2 keeps pushing and fails"
  "rs-drained|real1 quiesced on nat-director: ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0"
)

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${1:-$REPO/test/fixtures}
LAB=("bash" "$LAB_DIR/lab.sh")
CTL=$(mktemp -d)
trap 'ssh_close_all; rm -rf "$CTL"' EXIT

log() { printf '[capture] %s\n' "$*" >&2; }

SSH_OPTS=(-F "$REPO/.lab/ssh_config" -o BatchMode=yes -o ConnectTimeout=20
  -o ControlMaster=auto -o "ControlPath=$CTL/%C" -o ControlPersist=120)
rsh() { local h=$1; shift; timeout 30 ssh "${SSH_OPTS[@]}" "$h" "$@"; }
ssh_close_all() {
  local s
  for s in "$CTL"/*; do [[ -S $s ]] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done
  return 0
}

# Ask the host's keepalived (pid from its private /run) for a dump and print the file.
keepalived_dump_cmd() { # JSON|DATA|STATS file
  cat <<EOF
pid=\$(cat /run/keepalived.pid) || exit 1
rm -f $2
kill -s \$(keepalived --signum=$1) "\$pid" || exit 1
i=0
while [ ! -s $2 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
sleep 0.3
cat $2
EOF
}

capture_state() { # state description
  local state=$1 desc=$2 entry name hosts cmd h dir rc remote
  local readme=$OUT/$state/README.md
  rm -rf "${OUT:?}/$state"
  mkdir -p "$OUT/$state"
  {
    echo "# Fixtures: $state"
    echo
    echo "- state: $desc"
    echo "- captured: $(date -u +%Y-%m-%dT%H:%M:%SZ) on the lvstop lab ($(cat "$REPO/.lab/tier") tier) by test/lab/capture-fixtures.sh"
    echo "- versions: $VERSIONS"
    echo "- files: <host>/<name>.txt is stdout; <name>.stderr.txt is stderr when there was any"
    echo
    echo "| host | file | exit | command |"
    echo "| --- | --- | --- | --- |"
  } >"$readme"
  for entry in "${CAPTURES[@]}"; do
    IFS='|' read -r name hosts cmd <<<"$entry"
    remote=$cmd
    if [[ $cmd == @keepalived_dump* ]]; then
      read -r _ sig file <<<"$cmd"
      remote=$(keepalived_dump_cmd "$sig" "$file")
      cmd="kill -s \$(keepalived --signum=$sig) \$(cat /run/keepalived.pid); cat $file"
    fi
    for h in $hosts; do
      dir=$OUT/$state/$h
      mkdir -p "$dir"
      rc=0
      rsh "$h" "export LC_ALL=C; $remote" >"$dir/$name.txt" 2>"$dir/$name.stderr.txt" || rc=$?
      [[ -s $dir/$name.stderr.txt ]] || rm -f "$dir/$name.stderr.txt"
      echo "| $h | $h/$name.txt | $rc | \`${cmd//|/\\|}\` |" >>"$readme"
    done
  done
  log "$state: $(find "$OUT/$state" -name '*.txt' | wc -l) files"
}

vip_holder() {
  local d
  for d in director1 director2; do
    rsh "$d" "ip -4 -o addr show dev eth0" | grep -q ' 10.18.11.40/' && echo "$d"
  done
  return 0
}
wait_until() { # seconds command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || { log "timed out: $*"; return 1; }
    sleep 1
  done
}

enter_healthy() { "${LAB[@]}" traffic 50 30 >&2; sleep 3; }
leave_healthy() { :; }
enter_failover() {
  "${LAB[@]}" fault stop-keepalived director1
  wait_until 20 check_holder director2
  "${LAB[@]}" traffic 20 20 >&2
  sleep 3
}
check_holder() { [[ $(vip_holder) == "$1" ]]; }
leave_failover() { "${LAB[@]}" fault --repair stop-keepalived director1; wait_until 30 check_holder director1; }
enter_nfs-blocked() { "${LAB[@]}" fault block-nfs nfs; sleep 8; }
leave_nfs-blocked() { "${LAB[@]}" fault --repair block-nfs nfs; }
enter_rsyncd-down() { "${LAB[@]}" fault stop-rsyncd real1; sleep 4; }
leave_rsyncd-down() { "${LAB[@]}" fault --repair stop-rsyncd real1; }
enter_rs-drained() {
  rsh nat-director ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0
  "${LAB[@]}" traffic 20 20 >&2
  sleep 3
}
leave_rs-drained() { rsh nat-director ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 1; }

# The kernel running this script may lack ip_vs (the reason for the VM tier): its ipvsadm and
# /proc errors are the "not loaded" forms.
capture_no_ipvs() {
  local dir=$OUT/no-ipvs/local rc name cmd
  rm -rf "$OUT/no-ipvs"
  mkdir -p "$dir"
  if [[ -e /proc/net/ip_vs ]]; then
    log "no-ipvs: this kernel has ip_vs loaded, skipped"
    rmdir "$dir" "$OUT/no-ipvs"
    return
  fi
  {
    echo "# Fixtures: no-ipvs"
    echo
    echo "- state: kernel without ip_vs (the machine running the lab, $(uname -r)), commands run in a fresh network namespace"
    echo "- captured: $(date -u +%Y-%m-%dT%H:%M:%SZ) by test/lab/capture-fixtures.sh"
    echo "- versions: kernel $(uname -r), $(ipvsadm -v 2>&1 | head -n1 || true)"
    echo
    echo "| host | file | exit | command |"
    echo "| --- | --- | --- | --- |"
  } >"$OUT/no-ipvs/README.md"
  for entry in "ipvsadm-Ln|ipvsadm -Ln --exact" "ipvsadm-Ln-stats|ipvsadm -Ln --stats --exact" \
    "proc-net-ip_vs|cat /proc/net/ip_vs" "proc-net-ip_vs_stats|cat /proc/net/ip_vs_stats"; do
    IFS='|' read -r name cmd <<<"$entry"
    rc=0
    unshare --net sh -c "export LC_ALL=C; $cmd" >"$dir/$name.txt" 2>"$dir/$name.stderr.txt" || rc=$?
    [[ -s $dir/$name.stderr.txt ]] || rm -f "$dir/$name.stderr.txt"
    echo "| local | local/$name.txt | $rc | \`$cmd\` |" >>"$OUT/no-ipvs/README.md"
  done
  log "no-ipvs: $(find "$OUT/no-ipvs" -name '*.txt' | wc -l) files"
}

main() {
  [[ -f $REPO/.lab/ssh_config ]] || { log "the lab is not up: bash test/lab/lab.sh up"; exit 1; }
  [[ $(cat "$REPO/.lab/tier") == vm ]] || log "warning: direct tier on this kernel; IPVS/NFS captures may be errors"
  VERSIONS="kernel $(rsh nat-director uname -r), $(rsh nat-director 'ipvsadm -v 2>&1 | head -n1'), $(rsh director1 'keepalived -v 2>&1 | head -n1'), $(rsh real2 'rsync --version | head -n1')"
  log "versions: $VERSIONS"
  local st state desc
  for st in "${STATES[@]}"; do
    IFS='|' read -r state desc <<<"$st"
    log "state $state"
    "enter_$state"
    capture_state "$state" "$desc" || { "leave_$state"; exit 1; }
    "leave_$state"
  done
  capture_no_ipvs
  log "fixtures written under ${OUT#"$REPO"/}"
}

main
