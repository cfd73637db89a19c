#!/usr/bin/env bash
# The lab's own load: the QEMU guest's CPU (user+system of the qemu process, % of one host core) while nothing polls
# it, with real2's heartbeat as the lab runs it (no process per write) and, for comparison in the same run, with the
# heartbeat it replaced (`date` and `sleep` every second). Needs the VM-tier lab up. Results: bench/results/lab-idle.json.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${BENCH_SECONDS:-30}
qemu=$(cat .lab/qemu.pid)
ticks=$(getconf CLK_TCK)
ssh_lab() { ssh -F .lab/ssh_config -o BatchMode=yes "$@"; }
cpu_of() { awk '{print $14 + $15}' "/proc/$qemu/stat"; }
measure() {
  local a b
  a=$(cpu_of); sleep "$SECONDS_EACH"; b=$(cpu_of)
  awk -v d=$((b - a)) -v t="$ticks" -v s="$SECONDS_EACH" 'BEGIN { printf "%.1f", 100 * d / t / s }'
}
heartbeat_pid='for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = lvstop-heartbea ] && echo ${p#/proc/}; done'

current=$(measure)
echo "guest CPU with the lab's heartbeat: $current% of a core" >&2
# The old heartbeat, for the same time: stop the lab's (our own process, by pid), run the old loop, then restore.
ssh_lab real2 "kill \$($heartbeat_pid)"
ssh_lab real2 "setsid -f timeout $((SECONDS_EACH + 10)) bash -c 'while :; do date +%s.%N >/web/.lvstop-heartbeat; sleep 1; done' </dev/null >/dev/null 2>&1"
old=$(measure)
echo "guest CPU with date+sleep every second: $old% of a core" >&2
sleep 11
ssh_lab real2 "setsid -f /run/lab/lvstop-heartbeat.sh </dev/null >>/tmp/lvstop-heartbeat.log 2>&1"
mkdir -p bench/results
cat >bench/results/lab-idle.json <<JSON
{
  "date": "$(date -u +%FT%TZ)",
  "machine": { "cpus": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)", "load": "$(cat /proc/loadavg)" },
  "secondsEach": $SECONDS_EACH,
  "guestCpuPercentOfOneCore": { "heartbeatWithoutProcesses": $current, "dateAndSleepEverySecond": $old }
}
JSON
cat bench/results/lab-idle.json
