#!/usr/bin/env bash
# Captures what a director poll reads of its IPVS table, the same moment on each director: the full list, --stats,
# /proc/net/ip_vs and /proc/net/ip_vs_stats, for the tests of a poll that completes /proc with the last list.
#   test/lab/capture-proc-fixtures.sh [outdir=test/fixtures/proc-merge]
# Writes <outdir>/<host>/<name>.txt. Needs the lab up (lab.sh up); changes nothing on the hosts.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${1:-$REPO/test/fixtures/proc-merge}
for host in nat-director director1 director2; do
  mkdir -p "$OUT/$host"
  # One remote shell per host, the four reads back to back, split on markers.
  timeout 60 ssh -F "$REPO/.lab/ssh_config" -o BatchMode=yes "$host" \
    'LC_ALL=C; for c in "ipvsadm -L -n --exact" "ipvsadm -L -n --stats --exact" "cat /proc/net/ip_vs" "cat /proc/net/ip_vs_stats"; do echo "@@@ $c"; $c; done' |
    awk -v dir="$OUT/$host" '
      /^@@@ / { c = substr($0, 5); f = dir "/" (c ~ /--stats/ ? "ipvsadm-Ln-stats" : c ~ /ipvsadm/ ? "ipvsadm-Ln" : c ~ /ip_vs_stats/ ? "proc-net-ip_vs_stats" : "proc-net-ip_vs") ".txt"; printf "" > f; next }
      { print >> f }'
  echo "[capture] $host: $(ls "$OUT/$host" | tr '\n' ' ')" >&2
done
