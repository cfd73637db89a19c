import type { Section } from './section.js';

/**
 * Signals only this host's keepalived (by its pid file) to write its JSON and data dumps, waits until both files are
 * rewritten, prints the JSON, a `@@keepalived-data` line, then the data dump, and where keepalived runs health
 * checkers (a `checkers.pid` beside its pid file) a `@@keepalived-check` line and the checker process's dump.
 * $1 pid file, $2 and $3 the JSON and DATA signal numbers when already known (else asked of `keepalived --signum`),
 * $4 `json` to skip the data dump (state and priorities come from the JSON; the data dump adds track files),
 * $5 `long` to wait up to 6.55 s instead of 1.55 s, looking every half second after the short wait's looks (an
 * action reading back the state it just changed, a poll of a director whose keepalived answered late).
 * stderr's first line is `signums JSON DATA` for the caller to remember; `keepalived dump slow` when a long wait needed
 * more than the short one, `keepalived checker dump late` when the checker process wrote nothing in time (the reading
 * then has no checker view). Exit 3: not running; 4: not allowed to signal; 5: no dump in time (keepalived not
 * answering); 6: this build cannot write a data dump; 7: keepalived is stopped (SIGSTOP) and cannot answer.
 * It is the body of a shell function (an inline section: `return`, never `exit`), run in the poll's own shell: under
 * bash it starts no process at all once the signal numbers are known (the waits are `lv_sleep`, the reads `lv_cat`);
 * under sh, a few growing `sleep`s. A stopped keepalived is told from /proc at once instead of waited for.
 * Pollers side by side (a console and a serve on one director) take turns: a lock file in $TMPDIR holds the number
 * of the shell that signalled, from the signal to the end of the read, so that no poller's signal makes keepalived
 * rewrite a dump another is reading. Emptied, not removed, when done (removing would cost a process each poll); a
 * lock whose holder's shell is gone is taken over; one held longer than the wait is ignored. A poller that waited its
 * turn reads the dumps the other's signal made when they were written after its own poll began (as fresh as its own
 * signal would make them): keepalived writes once for both, and stderr says `keepalived dump shared`.
 */
export const KEEPALIVED_DUMP_SCRIPT = `pidfile=$1; js=$2; ds=$3; only=$4; waits="0.05 0.1 0.2 0.4 0.8"; total=1.55; short=5
lockwaits="0.02 0.05 0.1 0.2 0.4 0.4"
# Under bash a look costs no process: look often, so a dump (or the other poller's turn) is seen as soon as it is
# there, not up to twice as late as it came. Same budgets: 1.55 s for the dump, 1.17 s for the turn.
[ -z "\${BASH_VERSION:-}" ] || { waits="0.05 0.05 0.05 0.05 0.05 0.05 0.1 0.1 0.1 0.2 0.2 0.2 0.35"; short=13
  lockwaits="0.02 0.03 0.05 0.05 0.05 0.05 0.05 0.05 0.1 0.1 0.1 0.1 0.2 0.22"; }
[ "$5" = long ] && { waits="$waits 0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5"; total=6.55; }
[ -r "$pidfile" ] || { echo "keepalived is not running: no pid file $pidfile" >&2; return 3; }
read -r pid <"$pidfile"
case $pid in ''|*[!0-9]*) echo "keepalived pid file $pidfile holds no pid" >&2; return 3;; esac
kill -0 "$pid" 2>/dev/null || { if [ -d "/proc/$pid" ]; then echo "not allowed to signal keepalived pid $pid" >&2; return 4; fi; echo "keepalived is not running: pid $pid from $pidfile is gone" >&2; return 3; }
st=; read -r st <"/proc/$pid/stat" 2>/dev/null; st=\${st##*) }; st=\${st%% *}
case $st in T|t) echo "keepalived not answering: pid $pid is stopped (state $st)" >&2; return 7;; esac
[ -n "$ds" ] || ds=$(keepalived --signum=DATA 2>/dev/null)
case $ds in ''|*[!0-9]*) echo "this keepalived build cannot write a data dump" >&2; return 6;; esac
[ -n "$js" ] || js=$(keepalived --signum=JSON 2>/dev/null)
case $js in ''|*[!0-9]*) js=none; only=;; esac
echo "signums $js $ds" >&2
late=0; ck=; [ "$only" = json ] || [ ! -e "\${pidfile%/*}/checkers.pid" ] || ck=1
mark="\${TMPDIR:-/tmp}/.lvstop-ka-$$"; lock="\${TMPDIR:-/tmp}/.lvstop-ka.lock"; locked=
ka_lock() {
  for w in $lockwaits; do
    h=; [ -e "$lock" ] && { read -r h <"$lock"; } 2>/dev/null
    case $h in
      '') ;;
      *[!0-9]*) return 0 ;;
      *) [ ! -d "/proc/$h" ] || { lv_sleep "$w"; continue; } ;;
    esac
    # Free (empty, or its holder's shell is gone): take it, then read it back after a moment; of two pollers that
    # took it at once, the one whose number stayed there goes on.
    if [ -e "$lock" ]; then [ -O "$lock" ] && [ ! -L "$lock" ] && echo "$$" >|"$lock"; else set -C; echo "$$" >"$lock"; set +C; fi 2>/dev/null
    lv_sleep 0.01; h=; read -r h <"$lock" 2>/dev/null
    [ "$h" = "$$" ] && { locked=1; return 0; }
  done
}
ka_unlock() { [ -z "$locked" ] || { h=; read -r h <"$lock" 2>/dev/null; [ "$h" != "$$" ] || : >|"$lock"; }; }
# File times are as coarse as the kernel tick: a dump written in the tick the mark was made has the same time, so
# "not older than the mark" is fresh. A fresh dump is read a moment later, when keepalived has finished writing it.
# \`-e\` first: dash and busybox call a missing file not older than any other, bash calls it older.
newer() { [ -e "$1" ] && [ ! "$1" -ot "$mark" ]; }
fresh() { { [ "$only" = json ] || newer /tmp/keepalived.data; } && { [ "$js" = none ] || newer /tmp/keepalived.json; }; }
out() {
  lv_sleep 0.02
  [ "$js" = none ] || lv_cat /tmp/keepalived.json
  [ "$only" = json ] && return 0
  echo; echo @@keepalived-data
  lv_cat /tmp/keepalived.data
  [ -z "$ck" ] && return 0
  if newer /tmp/keepalived_check.data; then echo; echo @@keepalived-check; lv_cat /tmp/keepalived_check.data
  else echo "keepalived checker dump late: the checker process wrote none in time" >&2; fi
  return 0
}
# The mark: made when the poll begins (a dump written since is fresh for it), made again just before this poller's
# own signal (a dump another poller asked for must not pass for the one keepalived is still writing).
marked() { { [ -O "$mark" ] && [ ! -L "$mark" ] && : >|"$mark"; } || { set -C; : >"$mark"; r=$?; set +C; [ $r -eq 0 ]; }; }
dump() {
  marked || return 5
  [ "$js" = none ] || kill -"$js" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; return 4; }
  [ "$only" = json ] || kill -"$ds" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; return 4; }
  n=0; slow=
  for w in $waits; do
    lv_sleep "$w"; n=$((n + 1))
    fresh || continue
    [ $n -le $short ] || [ -n "$slow" ] || { slow=1; echo "keepalived dump slow: written after more than 1.55 s" >&2; }
    # The checker process writes its own dump on the same signal: wait a little for it, never fail for it.
    [ -z "$ck" ] || newer /tmp/keepalived_check.data || [ $((late += 1)) -gt 2 ] || continue
    out; return 0
  done
  fresh && { out; return 0; }
  echo "keepalived not answering: pid $pid wrote no dump within $total s" >&2; return 5
}
marked || return 5
ka_lock
if fresh && { [ -z "$ck" ] || newer /tmp/keepalived_check.data; }; then
  echo "keepalived dump shared: written for another poller since this poll began" >&2; out; rc=0
else dump; rc=$?; fi
ka_unlock
return $rc`;

/** The lines the script prints before the data dump and before the checker process's dump. */
export const DATA_MARK = '\n@@keepalived-data\n';
export const CHECKER_MARK = '\n@@keepalived-check\n';

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
    { id: 'keepalived', script: KEEPALIVED_DUMP_SCRIPT, args, inline: true },
    ...(notifyLog ? [{ id: 'keepalived-notify', file: notifyLog, lastLines: 20 }] : []),
  ];
}

export function parseSignums(stderr: string): KeepalivedSignums | undefined {
  const m = /^signums (\d+|none) (\d+)$/m.exec(stderr);
  return m ? { json: m[1]!, data: m[2]! } : undefined;
}
