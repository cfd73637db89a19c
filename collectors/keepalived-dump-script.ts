import type { Section } from './section.js';

/**
 * Signals only this host's keepalived (by its pid file) to write its JSON and data dumps, waits until both files are
 * rewritten, prints the JSON, a `@@keepalived-data` line, then the data dump, and where keepalived runs health
 * checkers (a `checkers.pid` beside its pid file) a `@@keepalived-check` line and the checker process's dump.
 * $1 pid file, $2 and $3 the JSON and DATA signal numbers when already known (else asked of `keepalived --signum`),
 * $4 `json` to skip the data dump (state and priorities come from the JSON; the data dump adds track files),
 * $5 `long` to wait up to about 6 s instead of 1.5 s (an action reading back the state it just changed).
 * stderr's first line is `signums JSON DATA` for the caller to remember. Exit 3: not running; 4: not allowed to
 * signal; 5: no dump in time (keepalived not answering); 6: this build cannot write a data dump; 7: keepalived is
 * stopped (SIGSTOP) and cannot answer.
 * Costs a few processes: the waits are a handful of growing `sleep`s, not a fork every 50 ms, and a stopped
 * keepalived is told from /proc at once instead of waited for.
 */
export const KEEPALIVED_DUMP_SCRIPT = `pidfile=$1; js=$2; ds=$3; only=$4; waits="0.05 0.1 0.2 0.4 0.8"; total=1.55
[ "$5" = long ] && { waits="$waits 1.6 3.2"; total=6.35; }
[ -r "$pidfile" ] || { echo "keepalived is not running: no pid file $pidfile" >&2; exit 3; }
read -r pid <"$pidfile"
case $pid in ''|*[!0-9]*) echo "keepalived pid file $pidfile holds no pid" >&2; exit 3;; esac
kill -0 "$pid" 2>/dev/null || { if [ -d "/proc/$pid" ]; then echo "not allowed to signal keepalived pid $pid" >&2; exit 4; fi; echo "keepalived is not running: pid $pid from $pidfile is gone" >&2; exit 3; }
st=; read -r st <"/proc/$pid/stat" 2>/dev/null; st=\${st##*) }; st=\${st%% *}
case $st in T|t) echo "keepalived not answering: pid $pid is stopped (state $st)" >&2; exit 7;; esac
[ -n "$ds" ] || ds=$(keepalived --signum=DATA 2>/dev/null)
case $ds in ''|*[!0-9]*) echo "this keepalived build cannot write a data dump" >&2; exit 6;; esac
[ -n "$js" ] || js=$(keepalived --signum=JSON 2>/dev/null)
case $js in ''|*[!0-9]*) js=none; only=;; esac
echo "signums $js $ds" >&2
late=0; ck=; [ "$only" = json ] || [ ! -e "\${pidfile%/*}/checkers.pid" ] || ck=1
mark="\${TMPDIR:-/tmp}/.lvstop-ka-$$"
: >"$mark" || exit 5
trap 'rm -f "$mark"' EXIT
[ "$js" = none ] || kill -"$js" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; exit 4; }
[ "$only" = json ] || kill -"$ds" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; exit 4; }
rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }
# File times are as coarse as the kernel tick: a dump written in the tick the mark was made has the same time, so
# "not older than the mark" is fresh. A fresh dump is read a moment later, when keepalived has finished writing it.
fresh() { { [ "$only" = json ] || [ ! /tmp/keepalived.data -ot "$mark" ]; } && { [ "$js" = none ] || [ ! /tmp/keepalived.json -ot "$mark" ]; }; }
out() {
  sleep 0.02
  [ "$js" = none ] || rd /tmp/keepalived.json
  [ "$only" = json ] && exit 0
  echo; echo @@keepalived-data
  rd /tmp/keepalived.data
  [ -n "$ck" ] && [ ! /tmp/keepalived_check.data -ot "$mark" ] && { echo; echo @@keepalived-check; rd /tmp/keepalived_check.data; }
  exit 0
}
for w in $waits; do
  sleep "$w"
  fresh || continue
  # The checker process writes its own dump on the same signal: wait a little for it, never fail for it.
  [ -z "$ck" ] || [ ! /tmp/keepalived_check.data -ot "$mark" ] || [ $((late += 1)) -gt 2 ] || continue
  out
done
fresh && out
echo "keepalived not answering: pid $pid wrote no dump within $total s" >&2; exit 5`;

/** Signal numbers learnt from a previous poll, so `keepalived --signum` runs once per host, not every poll. */
export interface KeepalivedSignums {
  readonly json: string;
  readonly data: string;
}

export function keepalivedSections(
  pidFile: string,
  notifyLog?: string,
  signums?: KeepalivedSignums,
  jsonOnly = false,
  waitLong = false,
): Section[] {
  const args = [pidFile, signums?.json ?? '', signums?.data ?? '', jsonOnly ? 'json' : '', waitLong ? 'long' : ''];
  return [
    { id: 'keepalived', script: KEEPALIVED_DUMP_SCRIPT, args },
    ...(notifyLog ? [{ id: 'keepalived-notify', argv: ['tail', '-n', '20', '--', notifyLog] }] : []),
  ];
}

export function parseSignums(stderr: string): KeepalivedSignums | undefined {
  const m = /^signums (\d+|none) (\d+)$/m.exec(stderr);
  return m ? { json: m[1]!, data: m[2]! } : undefined;
}
