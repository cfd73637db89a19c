#!/usr/bin/env bash
# Where the lab guest's CPU goes: its busy share (/proc/stat) and the CPU of every process by lab host and name
# (utime + stime + the children it waited for, from /proc/PID/stat), over a window of each scenario:
#   idle               the lab's own background (heartbeat, rsync push, keepalived, sshd)
#   traffic-burst      bash test/lab/lab.sh traffic at full speed (what the demo ran before)
#   traffic-paced      the demo's traffic now (lab.sh demo-traffic): a request a second per HTTP target, a datagram a second
#   one-poller         a `serve` polling the lab (the console's poller), with paced traffic
#   two-pollers        two of them, with paced traffic
#   idle-push-paused   idle with real2's push (its inotifywait loop and the rsync each event starts) paused by SIGSTOP
#                      for the window and resumed after: what the lab's per-second push costs, against idle
# Needs the lab up (npm run lab:up) and a build. Results: bench/results/guest-cpu.json (--out names another file).
# LVSTOP_BUNDLE names another build's bundle (default dist/bundle/lvstop.js): two builds compared on one lab.
#   bench/guest-cpu.sh [--window 40] [--settle 20] [--out FILE] [scenario...]
set -euo pipefail
cd "$(dirname "$0")/.."
window=40 settle=20 out=bench/results/guest-cpu.json
scenarios=()
while (($#)); do
  case $1 in
    --window) window=$2; shift ;;
    --settle) settle=$2; shift ;;
    --out) out=$2; shift ;;
    idle | traffic-burst | traffic-paced | one-poller | two-pollers | idle-push-paused) scenarios+=("$1") ;;
    *) echo "usage: $0 [--window N] [--settle N] [--out FILE] [scenario...]" >&2; exit 2 ;;
  esac
  shift
done
((${#scenarios[@]})) || scenarios=(idle idle-push-paused traffic-burst traffic-paced one-poller two-pollers)
[[ -f .lab/lvstop.json && -f .lab/control_ssh_config ]] || { echo "the lab is not up: npm run lab:up" >&2; exit 2; }
bundle=${LVSTOP_BUNDLE:-dist/bundle/lvstop.js}
[[ -f $bundle ]] || { echo "no build at $bundle: npm run build" >&2; exit 2; }

work=$(mktemp -d)
pids=()
# The push's processes in the guest, paused for idle-push-paused: resumed by stop_all, also when the bench fails.
paused=
guest() { ssh -F .lab/control_ssh_config -o BatchMode=yes lab-control "$@"; }
pause_push() {
  paused=$(guest "ps -eo pid=,comm= | awk '\$2 == \"lvstop-push-web\" || \$2 == \"inotifywait\" { print \$1 }'" | tr '\n' ' ')
  [[ -n ${paused// /} ]] || { echo "no push processes found in the guest" >&2; exit 1; }
  guest "kill -STOP $paused"
}
resume_push() { [[ -z $paused ]] || guest "kill -CONT $paused" || true; paused=; }
stop_all() {
  local p
  resume_push
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# In the guest: the CPU line of /proc/stat, the clock ticks per second, each lab namespace's inode, then a line per
# process: its net namespace inode, pid, name and utime stime cutime cstime (fields 14-17 of /proc/PID/stat).
read -r -d '' SNAP <<'EOF' || true
read -r u _ </proc/uptime; echo "@up $u"
read -r l </proc/stat; echo "@cpu ${l#cpu }"
echo "@tck $(getconf CLK_TCK)"
for n in /run/netns/*; do [ -e "$n" ] && echo "@ns $(stat -L -c %i "$n") ${n##*/}"; done
for p in /proc/[0-9]*; do
  s=; read -r s <"$p/stat" 2>/dev/null || continue
  ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
  c=${s#*(}; c=${c%)*}; r=${s##*) }
  set -- $r
  echo "@p ${ns//[^0-9]/} ${p#/proc/} ${c// /_} ${12} ${13} ${14} ${15}"
done
EOF
snapshot() { ssh -F .lab/control_ssh_config -o BatchMode=yes lab-control "bash -c '$SNAP'" 2>/dev/null; }

# CPU ms by "host:name" between two snapshots, over processes present in both (a process that ended is counted in
# the parent that waited for it), and the guest's busy share of its vCPUs.
diff_snapshots() {
  awk -v window="$window" '
    FNR == 1 { file++ }
    /^@cpu/ { for (i = 2; i <= NF; i++) { t[file] += $i; if (i == 5 || i == 6) idle[file] += $i } }
    /^@tck/ { tck = $2 }
    /^@up/ { up[file] = $2 }
    /^@ns/ { host[$2] = $3 }
    /^@p/ { key = $3 " " $4; cpu = $5 + $6 + $7 + $8; if (file == 1) a[key] = cpu; else if (key in a) { h = ($2 in host) ? host[$2] : "guest"; by[h ":" $4] += cpu - a[key] } }
    END {
      busy = (t[2] - t[1]) - (idle[2] - idle[1]); all = t[2] - t[1]
      # Per second of the guest clock between the two snapshots (a snapshot of a busy guest takes seconds).
      if (up[2] > up[1]) window = up[2] - up[1]
      printf "{\"guestBusyPercentOfAllVcpus\": %.1f, \"cpuMsPerSecondByProcess\": {", 100 * busy / all
      n = 0
      for (k in by) if (by[k] > 0) { printf "%s\"%s\": %.1f", (n++ ? ", " : ""), k, by[k] * 1000 / tck / window }
      printf "}}"
    }' "$1" "$2"
}

poller() {
  node "$bundle" -c .lab/lvstop.json serve --socket "$work/serve-$1.sock" --no-record >"$work/serve-$1.log" 2>&1 &
  pids+=($!)
}
traffic() { bash test/lab/lab.sh traffic 20000 $((settle + window + 10)) "$1" >/dev/null 2>&1 & pids+=($!); }
demo_traffic() { bash test/lab/lab.sh demo-traffic $((settle + window + 10)) >/dev/null 2>&1 & pids+=($!); }

results=()
declare -A seen=()
for s in "${scenarios[@]}"; do
  case $s in
    idle) ;;
    traffic-burst) traffic 0 ;;
    traffic-paced) demo_traffic ;;
    one-poller) demo_traffic; poller 1 ;;
    two-pollers) demo_traffic; poller 1; poller 2 ;;
    idle-push-paused) pause_push ;;
  esac
  sleep "$settle"
  snapshot >"$work/a"
  sleep "$window"
  snapshot >"$work/b"
  stop_all
  r=$(diff_snapshots "$work/a" "$work/b")
  echo "$s: $r" >&2
  # A scenario named twice (a repeat to see the spread) is kept as name#2, name#3, ...
  seen[$s]=$((${seen[$s]:-0} + 1))
  key=$s; ((${seen[$s]} == 1)) || key="$s#${seen[$s]}"
  results+=("\"$key\": $r")
  sleep 5
done

mkdir -p bench/results
joined=$(IFS=,; echo "${results[*]}")
cat >"$out" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cpus": $(nproc), "load": "$(cat /proc/loadavg)", "lab": "$(cat .lab/tier)"},
  "bundle": "$bundle",
  "windowSeconds": $window,
  "settleSeconds": $settle,
  "note": "guest:sshd includes this bench's own snapshots over the control connection; a process's CPU includes the children it waited for",
  "scenarios": {$joined}
}
EOF
node -e '
const fs = require("fs"), f = process.argv[1], r = JSON.parse(fs.readFileSync(f, "utf8"));
for (const s of Object.values(r.scenarios)) {
  const by = Object.entries(s.cpuMsPerSecondByProcess).sort((a, b) => b[1] - a[1]);
  s.cpuMsPerSecondAll = Math.round(by.reduce((n, [, v]) => n + v, 0));
  s.cpuMsPerSecondByProcess = Object.fromEntries(by.filter(([, v]) => v >= 1));
}
fs.writeFileSync(f, JSON.stringify(r, null, 2) + "\n");' "$out"
cat "$out"
