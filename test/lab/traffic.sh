#!/usr/bin/env bash
# Bounded client traffic through every lab VIP: at most <count> requests per target and
# <seconds> in all. Runs on the client host: lab.sh traffic pipes it there over ssh.
#   traffic.sh [count=200] [seconds=60]
set -euo pipefail
count=${1:-200}
seconds=${2:-60}
deadline=$((SECONDS + seconds))

# :8080 on the NAT VIP is the fwmark-1 service; udp: targets get one datagram per request.
targets=(http://172.16.60.22/ http://10.18.11.40/ http://172.16.60.22:8080/ udp:172.16.60.22:53)

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
  pages=$(timeout "$left" curl -s --connect-timeout 2 -m 3 "${urls[@]}" 2>/dev/null |
    sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' || true)
  ok=$(grep -c . <<<"$pages" || true)
  by=$(sort <<<"$pages" | uniq -c | awk 'NF == 2 {printf " %s=%s", $2, $1}')
  echo "$target: $ok ok, $((count - ok)) failed${by:+ (by page:$by)}"
done
