#!/usr/bin/env bash
# The console on a starved lab, this build against an older one in the same run: the lab's QEMU guest is capped at
# one host core (a cgroup, removed on exit), then bench/starved-lab.ts runs each build's poller against it in turn.
# Every real server is healthy, so every page counted is false.
#   bash bench/starved-lab.sh [OLD_COMMIT=HEAD~1]
# Needs root, the VM-tier lab up and `npm run build`. Writes bench/results/starved-lab.json.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
OLD=${1:-HEAD~1}
QUOTA_US=${BENCH_QUOTA_US:-100000}
qemu=$(cat .lab/qemu.pid)
[[ -d /sys/fs/cgroup/cpu ]] || { echo "needs the cgroup v1 cpu controller (/sys/fs/cgroup/cpu)" >&2; exit 1; }
CG=/sys/fs/cgroup/cpu/lvstop-bench-starved
WT=$(mktemp -d /tmp/lvstop-bench-old.XXXXXX)
restore() {
  echo "$qemu" >/sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null || true
  rmdir "$CG" 2>/dev/null || true
  git -C "$REPO" worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
}
trap restore EXIT

echo "building $OLD in $WT" >&2
rmdir "$WT"
git worktree add -q --detach "$WT" "$OLD"
ln -s "$REPO/node_modules" "$WT/node_modules"
(cd "$WT" && npx tsc -p tsconfig.build.json >/dev/null)

mkdir -p "$CG"
echo 100000 >"$CG/cpu.cfs_period_us"
echo "$QUOTA_US" >"$CG/cpu.cfs_quota_us"
for t in /proc/"$qemu"/task/*; do echo "${t##*/}" >"$CG/tasks"; done
echo "lab guest capped at $((QUOTA_US / 1000))% of a host core" >&2

new=$(node dist/bench/starved-lab.js "$REPO/dist" "$(git rev-parse --short HEAD)")
echo "$new" >&2
old=$(node dist/bench/starved-lab.js "$WT/dist" "$(git rev-parse --short "$OLD")")
echo "$old" >&2
mkdir -p bench/results
cat >bench/results/starved-lab.json <<JSON
{
  "date": "$(date -u +%FT%TZ)",
  "machine": { "cpus": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" },
  "guestCapPercentOfOneCore": $((QUOTA_US / 1000)),
  "runs": [
    $new,
    $old
  ]
}
JSON
cat bench/results/starved-lab.json
