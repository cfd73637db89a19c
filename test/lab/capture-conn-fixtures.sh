#!/usr/bin/env bash
# Captures IPVS connection tables (`ipvsadm -Lnc`) and sync-daemon states (`ipvsadm -L --daemon`) on the lab, for
# parser and drain-progress tests:
#   test/lab/capture-conn-fixtures.sh [outdir=test/fixtures/conns]
# While it captures, the client holds a few idle TCP connections open through each VIP (ESTABLISHED entries and
# persistence templates) and makes short requests (FIN_WAIT/TIME_WAIT entries). States captured:
#   live/             both VIPs in use; the DR pair's sync daemons as keepalived runs them
#   backup-sync-down/ director2's backup sync daemon stopped (keepalived restarts nothing: it is repaired on exit)
# Needs the lab up; bounded: every client connection ends within 60 s.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${1:-$REPO/test/fixtures/conns}
SSH=(ssh -F "$REPO/.lab/ssh_config" -o BatchMode=yes -o ConnectTimeout=30)
log() { printf '[capture] %s\n' "$*" >&2; }

client_pid=
repair() {
  [[ -n $client_pid ]] && kill "$client_pid" 2>/dev/null || true
  # The backup daemon as keepalived starts it for `lvs_sync_daemon eth0 VI_WEB id 51`.
  "${SSH[@]}" director2 'ipvsadm -L --daemon | grep -q backup || ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 51' \
    >/dev/null 2>&1 || true
}
trap repair EXIT

# On the client: 4 idle connections per VIP held open for <hold> s without a request (ESTABLISHED on the director;
# the lab's httpd waits for the request line), plus 20 short requests per VIP. Everything ends by the hold time.
client_load() { # hold-seconds
  "${SSH[@]}" client bash -s -- "$1" <<'EOF'
hold=$1
for vip in 172.16.60.22 10.18.11.40; do
  for i in 1 2 3 4; do
    ( exec 3<>"/dev/tcp/$vip/80" || exit 0
      timeout "$hold" cat <&3 >/dev/null || true ) &
  done
  urls=(); for i in $(seq 20); do urls+=("http://$vip/"); done
  timeout 20 curl -s --connect-timeout 2 -m 3 "${urls[@]}" >/dev/null 2>&1 || true
done
wait
EOF
}

capture() { # state
  local dir=$OUT/$1 h
  mkdir -p "$dir"
  for h in nat-director director1 director2; do
    "${SSH[@]}" "$h" 'ipvsadm -Lnc' >"$dir/$h.lnc.txt"
    "${SSH[@]}" "$h" 'ipvsadm -L --daemon' >"$dir/$h.daemon.txt"
    log "$1/$h: $(wc -l <"$dir/$h.lnc.txt") connection lines, daemon: $(tr '\n' ' ' <"$dir/$h.daemon.txt")"
  done
}

client_load 50 &
client_pid=$!
sleep 12 # connections established, short requests done and in TIME_WAIT, sync messages sent
capture live
"${SSH[@]}" director2 'ipvsadm --stop-daemon backup'
sleep 2
capture backup-sync-down
wait "$client_pid" || true
client_pid=
log "written to $OUT"
