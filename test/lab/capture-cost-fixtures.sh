#!/usr/bin/env bash
# Captures what polls and probe rounds cost a lab director, as the console reads it, for parser and budget tests:
#   test/lab/capture-cost-fixtures.sh [outdir=test/fixtures/cost]
# - shell-times.{sh,bash}.N.txt: the poll's last section (collectors/shell-times.ts) run three times in one long-lived
#   shell of each kind on nat-director, with `ipvsadm -Ln` between (the difference is what the work cost);
# - nat-director.rs-probe.txt: one probe round (collectors/rs-probe.ts, the console's exact command) of the NAT
#   web servers, ending with the round's `times`.
# Needs the lab up and `npm run build`.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${1:-$REPO/test/fixtures/cost}
SSH=(ssh -F "$REPO/.lab/ssh_config" -o BatchMode=yes -o ConnectTimeout=30)
mkdir -p "$OUT"

section=$(node --input-type=module -e "
  const { SHELL_TIMES_SECTION } = await import('$REPO/dist/collectors/shell-times.js');
  process.stdout.write(SHELL_TIMES_SECTION.script);")

for shell in sh bash; do
  # One shell reads the script from stdin, as the poll's long-lived shell does; markers split the three readings.
  script=$(printf 'export LC_ALL=C\nfor i in 1 2 3; do echo "@@ $i"; %s; ipvsadm -Ln >/dev/null; done\n' "$section")
  "${SSH[@]}" nat-director "$shell" <<<"$script" >"$OUT/shell-times.$shell.all"
  for i in 1 2 3; do
    awk -v i="$i" '/^@@ /{on=($2==i); next} on' "$OUT/shell-times.$shell.all" >"$OUT/shell-times.$shell.$i.txt"
  done
  rm -f "$OUT/shell-times.$shell.all"
done

targets='[{"kind":"http","address":"192.168.60.99","port":80,"path":"/"},{"kind":"http","address":"192.168.60.40","port":80,"path":"/"},{"kind":"tcp","address":"192.168.60.99","port":80},{"kind":"tcp","address":"192.168.60.40","port":80}]'
command=$(node --input-type=module -e "
  const { rsProbeArgv } = await import('$REPO/dist/collectors/rs-probe.js');
  const { argvToCommand } = await import('$REPO/dist/src/transport/command-line.js');
  process.stdout.write(argvToCommand(rsProbeArgv(JSON.parse(process.argv[1]), 1000)));
" "$targets")
printf '%s\n' "$targets" >"$OUT/nat-director.targets.json"
"${SSH[@]}" nat-director "export LC_ALL=C; $command" >"$OUT/nat-director.rs-probe.txt"
echo "captured into $OUT"
