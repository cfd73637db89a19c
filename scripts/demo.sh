#!/usr/bin/env bash
# The README's first command: bring the lab up if it is not, start bounded client traffic, open the console.
# `npm run demo -- --down` tears the lab down.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ "${1:-}" == "--down" ]]; then
  exec bash test/lab/lab.sh down
fi

[[ -d node_modules ]] || npm ci
npm run --silent build
bash test/lab/lab.sh up

# Bounded, paced traffic: a request a second to each HTTP service (and a datagram a second), for at most 15 minutes.
# At full speed the lab's emulated guest spent half its CPU serving it (bench/results/guest-cpu.json).
bash test/lab/lab.sh demo-traffic 900 >/dev/null 2>&1 &
traffic_pid=$!
trap 'kill "$traffic_pid" 2>/dev/null || true' EXIT

CI=false node dist/bundle/lvstop.js -c .lab/lvstop.json "$@"
