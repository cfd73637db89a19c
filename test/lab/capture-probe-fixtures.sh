#!/usr/bin/env bash
# Captures the real-server probe (collectors/rs-probe.ts, run as the console runs it) and keepalived's checker dump
# on the lab, for parser tests:
#   test/lab/capture-probe-fixtures.sh [outdir=test/fixtures/probes]
# States: healthy; httpd stopped on real1 (NAT, no checker) and web1 (DR, TCP_CHECK); a tarpit on real2 (accepts,
# never answers); cpu-starved: the same faults while bounded busy loops (25 s) keep the lab's CPUs saturated.
# STATES="cpu-starved" captures only the states named. Needs the lab up and `npm run build`; leaves the lab healthy
# again (repairs on exit).
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${1:-$REPO/test/fixtures/probes}
LAB=(bash "$LAB_DIR/lab.sh")
SSH=(ssh -F "$REPO/.lab/ssh_config" -o BatchMode=yes -o ConnectTimeout=30)
log() { printf '[capture] %s\n' "$*" >&2; }
repair() {
  "${LAB[@]}" fault --repair stop-httpd real1 >/dev/null 2>&1 || true
  "${LAB[@]}" fault --repair stop-httpd web1 >/dev/null 2>&1 || true
  "${LAB[@]}" fault --repair tarpit-httpd real2 >/dev/null 2>&1 || true
}
trap repair EXIT

# The probe command line exactly as the console sends it (argv quoted by src/transport/command-line.ts).
# $1: JSON list of targets; $2: deadline in ms.
probe_command() {
  node --input-type=module -e "
    const { rsProbeArgv } = await import('$REPO/dist/collectors/rs-probe.js');
    const { argvToCommand } = await import('$REPO/dist/src/transport/command-line.js');
    process.stdout.write(argvToCommand(rsProbeArgv(JSON.parse(process.argv[1]), Number(process.argv[2]))));
  " "$1" "$2"
}

NAT_TARGETS='[{"kind":"http","address":"192.168.60.99","port":80,"path":"/"},{"kind":"http","address":"192.168.60.40","port":80,"path":"/"},{"kind":"tcp","address":"192.168.60.40","port":53},{"kind":"tcp","address":"10.200.0.1","port":80}]'
DR_TARGETS='[{"kind":"tcp","address":"10.18.11.21","port":80},{"kind":"http","address":"10.18.11.22","port":80,"path":"/"}]'

capture() { # state
  local dir=$OUT/$1 rc
  mkdir -p "$dir"
  for spec in "nat-director|$NAT_TARGETS" "director1|$DR_TARGETS"; do
    local host=${spec%%|*} targets=${spec#*|}
    printf '%s\n' "$targets" >"$dir/$host.targets.json"
    rc=0
    "${SSH[@]}" "$host" "export LC_ALL=C; $(probe_command "$targets" 1000)" >"$dir/$host.rs-probe.txt" || rc=$?
    echo "$rc" >"$dir/$host.rs-probe.exit"
  done
  for host in director1 director2; do
    "${SSH[@]}" "$host" 'rm -f /tmp/keepalived_check.data; kill -s $(keepalived --signum=DATA) $(cat /run/keepalived.pid); i=0
      while [ ! -s /tmp/keepalived_check.data ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; sleep 0.3
      cat /tmp/keepalived_check.data' >"$dir/$host.keepalived_check.data"
  done
  "${SSH[@]}" nat-director 'ipvsadm -Ln --exact' >"$dir/nat-director.ipvsadm-Ln.txt"
  "${SSH[@]}" director1 'ipvsadm -Ln --exact' >"$dir/director1.ipvsadm-Ln.txt"
  {
    echo "# $1"
    echo "- captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on the lvstop lab ($(cat "$REPO/.lab/tier") tier) by test/lab/capture-probe-fixtures.sh"
    echo "- <host>.rs-probe.txt: rsProbeArgv(<host>.targets.json, 1000 ms) run over ssh; exit code in .exit"
    echo "- <host>.keepalived_check.data: /tmp/keepalived_check.data after keepalived's DATA signal"
    echo "- <host>.ipvsadm-Ln.txt: ipvsadm -Ln --exact"
  } >"$dir/README.md"
  log "$1: $(ls "$dir" | wc -l) files"
}

[[ -f $REPO/.lab/ssh_config ]] || { log "the lab is not up: bash test/lab/lab.sh up"; exit 1; }
STATES=${STATES:-healthy httpd-stopped cpu-starved}
wanted() { [[ " $STATES " == *" $1 "* ]]; }
if wanted healthy; then
  log "state healthy"
  capture healthy
fi
log "faults: httpd stopped on real1 and web1, a tarpit on real2"
"${LAB[@]}" fault stop-httpd real1
"${LAB[@]}" fault stop-httpd web1
# keepalived's TCP_CHECK on web1: 3 retries 1 s apart, every 2 s
sleep 15
"${LAB[@]}" fault tarpit-httpd real2
if wanted httpd-stopped; then
  log "state httpd-stopped"
  capture httpd-stopped
fi
if wanted cpu-starved; then
  # Six busy loops on the guest's two CPUs, each ended by timeout after 25 s: the pressure's 10 s average climbs
  # past the point where a probe's deadline says nothing.
  log "state cpu-starved"
  "${SSH[@]}" nat-director 'for i in 1 2 3 4 5 6; do setsid -f timeout 25 sh -c "while :; do :; done" </dev/null >/dev/null 2>&1; done'
  sleep 12
  capture cpu-starved
  "${SSH[@]}" nat-director 'cat /proc/pressure/cpu' >"$OUT/cpu-starved/nat-director.pressure.txt"
  echo "- nat-director.pressure.txt: /proc/pressure/cpu right after the capture" >>"$OUT/cpu-starved/README.md"
fi
log "fixtures written under ${OUT#"$REPO"/}"
