#!/usr/bin/env bash
# Is the demo calm? Opens the console as `npm run demo` does (80×24, in tmux, with the demo's bounded traffic), samples
# its header once a second and judges every sample after the first <settle> seconds: `N/N up`, no `slow`, no
# `connecting`, data age at most two poll intervals. With --with-serve, a `serve` polls the same lab beside it.
#   bench/demo-calm.sh [--with-serve] [--seconds 300] [--settle 60]
# Needs the lab up (npm run lab:up) and a build. Results: bench/results/demo-calm[-with-serve].json, and every sample
# (seconds, header, the pane's line about what is slow or late) in .samples.tsv beside it.
# LVSTOP_BUNDLE names another build's bundle (default dist/bundle/lvstop.js): two builds compared on one lab.
# Exit 0 when the console was calm within <settle> s of its first frame and stayed calm for every later sample.
set -euo pipefail
cd "$(dirname "$0")/.."
with_serve=0 seconds=300 settle=60
while (($#)); do
  case $1 in
    --with-serve) with_serve=1 ;;
    --seconds) seconds=$2; shift ;;
    --settle) settle=$2; shift ;;
    *) echo "usage: $0 [--with-serve] [--seconds N] [--settle N]" >&2; exit 2 ;;
  esac
  shift
done
[[ -f .lab/lvstop.json ]] || { echo "the lab is not up: npm run lab:up" >&2; exit 2; }
bundle=${LVSTOP_BUNDLE:-dist/bundle/lvstop.js}
[[ -f $bundle ]] || { echo "no build at $bundle: npm run build" >&2; exit 2; }
interval_ms=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(".lab/lvstop.json","utf8")).pollIntervalMs ?? 2000)')
max_age=$((2 * interval_ms / 1000))
session="lvstop-demo-calm-$$"
work=$(mktemp -d)
serve_pid= traffic_pid=
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null || true
  [[ -n $traffic_pid ]] && kill "$traffic_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The demo's traffic, bounded as the demo bounds it (and by this run's length).
bash test/lab/lab.sh demo-traffic $((seconds + settle + 30)) >/dev/null 2>&1 &
traffic_pid=$!
if ((with_serve)); then
  node "$bundle" -c .lab/lvstop.json serve --socket "$work/serve.sock" --no-record >"$work/serve.log" 2>&1 &
  serve_pid=$!
fi
started=$(date +%s.%N)
tmux new-session -d -s "$session" -x 80 -y 24 \
  "env CI=false TERM=xterm-256color node $bundle -c .lab/lvstop.json"

# The first frame: the header line starts with the product name.
first=
for ((i = 0; i < 600; i++)); do
  if tmux capture-pane -p -t "$session" 2>/dev/null | head -1 | grep -q '^lvstop '; then first=$(date +%s.%N); break; fi
  sleep 0.1
done
[[ -n $first ]] || { echo "no first frame within 60 s" >&2; exit 1; }

# One sample a second: seconds since the first frame, then the header line.
samples=$work/samples.txt
end=$(($(date +%s) + settle + seconds))
while (($(date +%s) < end)); do
  pane=$(tmux capture-pane -p -t "$session")
  line=${pane%%$'\n'*}
  # The line that says what is slow or late, when one does (kept with the samples, to say why a sample was not calm).
  why=$(grep -m1 -E 'slow:|late|never read|timeout' <<<"$pane" | tr -s ' ' || true)
  printf '%s\t%s\t%s\n' "$(awk -v a="$first" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" "$line" "$why" >>"$samples"
  sleep 1
done
tmux send-keys -t "$session" q

# A sample is calm when every host is up, none slow or connecting, and the data age is at most two intervals.
result=$(awk -F'\t' -v settle="$settle" -v max_age="$max_age" '
  function age_s(s) { if (s ~ /^[0-9.]+s$/) return s + 0; if (s ~ /^[0-9]+m$/) return 60 * s; return 1e9 }
  {
    line = $2; calm = 0; age = 1e9
    if (match(line, /data [^ ]+/)) age = age_s(substr(line, RSTART + 5, RLENGTH - 5))
    if (match(line, /[0-9]+\/[0-9]+ up/)) { split(substr(line, RSTART, RLENGTH - 3), c, "/"); up = (c[1] == c[2]) }
    calm = up && line !~ / slow/ && line !~ /connecting/ && age <= max_age
    n++; if ($1 >= settle) { late++; if (calm) lateCalm++; else if (!firstBad) firstBad = $1 ": " line }
    if (calm && calmSince == "") calmSince = $1; if (!calm) calmSince = ""
    if (age > maxAge && age < 1e9) maxAge = age
  }
  END {
    printf "{\"samples\": %d, \"samplesAfterSettle\": %d, \"calmAfterSettle\": %d, \"calmSinceSeconds\": %s, \"maxDataAgeSeconds\": %d, \"firstNotCalm\": \"%s\"}",
      n, late, lateCalm, calmSince == "" ? "null" : calmSince, maxAge, firstBad
  }' "$samples")
first_frame_s=$(awk -v a="$started" -v b="$first" 'BEGIN { printf "%.1f", b - a }')
mkdir -p bench/results
out=bench/results/demo-calm.json
if ((with_serve)); then out=bench/results/demo-calm-with-serve.json; fi
cat >"$out" <<JSON
{
  "date": "$(date -u +%FT%TZ)",
  "machine": { "cpus": $(nproc), "load": "$(cat /proc/loadavg)", "lab": "$(cat .lab/tier 2>/dev/null)" },
  "withServe": $((with_serve)), "settleSeconds": $settle, "seconds": $seconds, "maxCalmDataAgeSeconds": $max_age,
  "firstFrameSeconds": $first_frame_s,
  "result": $result
}
JSON
cat "$out"
cp "$samples" "${out%.json}.samples.tsv"
awk -F'\t' '{ print }' "$samples" | tail -3 >&2
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).result;
  process.exit(r.samplesAfterSettle > 0 && r.calmAfterSettle === r.samplesAfterSettle ? 0 : 1);
' "$out"
