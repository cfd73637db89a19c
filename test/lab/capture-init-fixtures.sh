#!/usr/bin/env bash
# Captures what `lvstop init` reads from directors, for the parsers' tests (collectors/keepalived-conf.ts,
# collectors/ipvs-save.ts). Needs the lab up (bash test/lab/lab.sh up); run it under the lab lock:
#   flock /tmp/lvstop-lab.lock bash -c 'bash test/lab/lab.sh up && bash test/lab/capture-init-fixtures.sh; bash test/lab/lab.sh down'
# Writes test/fixtures/init/<host>/<name>.txt (stdout), <name>.stderr.txt (when not empty) and README.md.
# One capture adds scratch IPVS services on nat-director (persistence netmask, scheduler flags, thresholds,
# IPv6 and an IPv6 firewall mark) to have every field of the save format in real output; they are deleted again.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=$REPO/test/fixtures/init
rsh() { timeout 30 ssh -F "$REPO/.lab/ssh_config" -o BatchMode=yes -o ConnectTimeout=20 "$@"; }

SCRATCH='svc="-t 172.16.60.22:9999"; v6="-t [2001:db8::40]:443"; trap "ipvsadm -D $svc; ipvsadm -D $v6; ipvsadm -D -f 77 -6" EXIT;'
SCRATCH+=' ipvsadm -A $svc -s sh -b sh-fallback,sh-port -p 30 -M 255.255.255.0;'
SCRATCH+=' ipvsadm -a $svc -r 192.168.60.99:9999 -m -w 5 -x 100 -y 10; ipvsadm -a $svc -r 192.168.60.40:9999 -m -w 0;'
SCRATCH+=' ipvsadm -A $v6 -s wrr -p 60 -M 64; ipvsadm -a $v6 -r [2001:db8::99]:443 -m -w 2;'
SCRATCH+=' ipvsadm -A -f 77 -6 -s rr; ipvsadm -a -f 77 -6 -r 2001:db8::98 -m -w 1; ipvsadm -S -n'

# name | hosts | remote command (run with LC_ALL=C)
CAPTURES=(
  "keepalived.conf|director1 director2 nat-director|cat /etc/keepalived/keepalived.conf"
  "ipvsadm-S-n|director1 director2 nat-director|ipvsadm -S -n"
  "ipvsadm-S-n-scratch|nat-director|$SCRATCH"
  "notify.sh|director1|cat /etc/keepalived/notify.sh"
  "ip-j-addr|director1 nat-director web1 real1|ip -j addr show"
)

rm -rf "$OUT"/director1 "$OUT"/director2 "$OUT"/nat-director "$OUT"/web1 "$OUT"/real1
mkdir -p "$OUT"
{
  echo "# Fixtures: lvstop init"
  echo
  echo "- captured: $(date -u +%Y-%m-%dT%H:%M:%SZ) on the lvstop lab ($(cat "$REPO/.lab/tier" 2>/dev/null || echo unknown) tier) by test/lab/capture-init-fixtures.sh, lab just up"
  echo "- versions: $(rsh nat-director 'uname -r; ipvsadm --version' | paste -sd ' '), $(rsh director1 'keepalived --version 2>&1 | head -1')"
  echo "- files: <host>/<name>.txt is stdout; <name>.stderr.txt is stderr when there was any"
  echo "- ipvsadm-S-n-scratch: scratch services added on nat-director, saved, then deleted (see the script). \`ipvsadm -S\` does not save thresholds (-x/-y), although the scratch real server has them"
  echo "- debian-samples/: copied unchanged from /usr/share/doc/keepalived/samples/ (Debian 12 keepalived 2.2.7)"
  echo
  echo "| host | file | exit | command |"
  echo "| --- | --- | --- | --- |"
} >"$OUT/README.md"
for entry in "${CAPTURES[@]}"; do
  IFS='|' read -r name hosts cmd <<<"$entry"
  for h in $hosts; do
    mkdir -p "$OUT/$h"
    rc=0
    rsh "$h" "export LC_ALL=C; $cmd" >"$OUT/$h/$name.txt" 2>"$OUT/$h/$name.stderr.txt" || rc=$?
    [[ -s $OUT/$h/$name.stderr.txt ]] || rm -f "$OUT/$h/$name.stderr.txt"
    echo "| $h | $h/$name.txt | $rc | \`${cmd//|/\\|}\` |" >>"$OUT/README.md"
  done
done

mkdir -p "$OUT/debian-samples"
for f in keepalived.conf.sample keepalived.conf.fwmark keepalived.conf.IPv6 keepalived.conf.vrrp.localcheck \
  keepalived.conf.virtual_server_group keepalived.conf.conditional_conf; do
  cp "/usr/share/doc/keepalived/samples/$f" "$OUT/debian-samples/$f"
done
echo "[capture-init] $(find "$OUT" -type f | wc -l) files in $OUT" >&2
