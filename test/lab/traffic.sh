#!/usr/bin/env bash
# Bounded client traffic through every lab VIP: at most <count> requests per target and
# <seconds> in all. Runs on the client host: lab.sh traffic pipes it there over ssh.
#   traffic.sh [count=200] [seconds=60] [rate=0]
# rate 0: each target in turn, as fast as the lab answers (tests that need many connections at once).
# rate N: every target at once, N requests a second each (one datagram a second for udp:), for as long as
# <seconds> and <count> allow: a steady load that shows rates in every service and leaves the lab room to breathe.
set -euo pipefail
count=${1:-200}
seconds=${2:-60}
rate=${3:-0}
deadline=$((SECONDS + seconds))

# Ends with its connection: when whoever ran it ends the ssh early (a bench's clean-up), sshd's session process goes,
# and this stops every process of its session instead of sending traffic into the next measurement. Looks once a
# second, waiting on a FIFO that never has data (no process per look).
parent=$PPID
watch=$(mktemp -u)
mkfifo "$watch"
exec 4<>"$watch"
rm -f "$watch"
(
  while kill -0 "$parent" 2>/dev/null; do read -r -t 1 -u 4 _ || true; done
  kill 0
) &
watchdog=$!
trap 'kill "$watchdog" 2>/dev/null || true' EXIT

# :8080 on the NAT VIP is the fwmark-1 service; udp: targets get one datagram per request.
targets=(http://172.16.60.22/ http://10.18.11.40/ http://172.16.60.22:8080/ udp:172.16.60.22:53)

if ((rate > 0)); then
  http=() udp=()
  for target in "${targets[@]}"; do
    if [[ $target == udp:* ]]; then udp+=("$target"); else http+=("$target"); fi
  done
  per=$((rate * seconds < count ? rate * seconds : count))
  # A datagram a second to each udp: target, waiting on a FIFO that never has data (no process per datagram).
  tick=$(mktemp -u)
  mkfifo "$tick"
  exec 3<>"$tick"
  rm -f "$tick"
  (
    for ((i = 0; i < per && SECONDS < deadline; i++)); do
      for target in "${udp[@]}"; do
        IFS=: read -r _ ip port <<<"$target"
        echo "lvstop-lab $i" >"/dev/udp/$ip/$port" || true
      done
      read -r -t 1 -u 3 _ || true
    done
  ) &
  udp_pid=$!
  # One curl, the HTTP targets in turn, paced by curl itself: a config on stdin, never a long argument list.
  pages=$(for ((i = 0; i < per; i++)); do printf 'url = "%s"\n' "${http[@]}"; done |
    timeout --foreground "$seconds" curl -s --connect-timeout 2 -m 3 --rate "$((rate * ${#http[@]}))/s" -K - 2>/dev/null |
    sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' || true)
  kill "$udp_pid" 2>/dev/null || true
  wait "$udp_pid" 2>/dev/null || true
  ok=$(grep -c . <<<"$pages" || true)
  by=$(sort <<<"$pages" | uniq -c | awk 'NF == 2 {printf " %s=%s", $2, $1}')
  echo "${#http[@]} http targets at $rate/s each: $ok ok of $((per * ${#http[@]}))${by:+ (by page:$by)}"
  exit 0
fi

for target in "${targets[@]}"; do
  left=$((deadline - SECONDS))
  if ((left <= 0)); then echo "$target: skipped (time limit)"; continue; fi
  if [[ $target == udp:* ]]; then
    IFS=: read -r _ ip port <<<"$target"
    ok=0
    for ((i = 0; i < count && SECONDS < deadline; i++)); do
      echo "lvstop-lab $i" >"/dev/udp/$ip/$port" && ((ok += 1))
    done
    echo "$target: $ok datagrams sent"
    continue
  fi
  # One curl process fetches the URL <count> times (cheap under emulation); each page names its host.
  urls=()
  for ((i = 0; i < count; i++)); do urls+=("$target"); done
  pages=$(timeout --foreground "$left" curl -s --connect-timeout 2 -m 3 "${urls[@]}" 2>/dev/null |
    sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' || true)
  ok=$(grep -c . <<<"$pages" || true)
  by=$(sort <<<"$pages" | uniq -c | awk 'NF == 2 {printf " %s=%s", $2, $1}')
  echo "$target: $ok ok, $((count - ok)) failed${by:+ (by page:$by)}"
done
