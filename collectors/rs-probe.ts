import { turnLockFunctions } from './turn-lock.js';
import { addressPort } from './ids.js';
import { MAX_LINE } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import { parseTimesLines } from './shell-times.js';

/**
 * How a real server is probed from its director: `tcp` connects (keepalived's TCP_CHECK, and the default), `http`
 * sends `GET path` and reads the status line (HTTP_GET). An SSL_GET checker is probed as `tcp` to its port: the
 * director's shell cannot speak TLS, and the result says so.
 */
export type ProbeKind = 'tcp' | 'http';

export interface ProbeTarget {
  readonly kind: ProbeKind;
  readonly address: string;
  readonly port: number;
  /** http: the path asked for. */
  readonly path?: string;
}

/** What one probe found. `ok` undefined: the probe could not say (it never started in time). */
export interface ProbeOutcome {
  readonly ok: boolean | undefined;
  readonly ms: number;
  /** `connected`, `HTTP 200`, `connection refused`, `no answer within 1000 ms`... */
  readonly detail: string;
  /** http: the status code answered. */
  readonly status?: number;
}

/**
 * Probes the targets one after another in one bash: /dev/tcp connects and `read -t` waits start no program. It runs
 * in the director's long-lived probe shell (a fork a round) or, where there is none, as its own bash under
 * `timeout`. $1 the deadline in seconds, $2 in ms, then one `index|kind|address|port|path|w` per target (`w`: it
 * used its whole deadline last time). Prints `@ start`, then per probe `I start MS` (MS after the round began),
 * bash's own message when a connect fails (stderr joins stdout: one probe at a time, so it belongs to the probe that
 * started last), and `I RC MS TEXT` when it ends: RC 0 connected (http: TEXT is the status line), 2 connect failed,
 * 3 send failed, 4 no status line within the deadline, 5 given up at the deadline; at the end `@ times` and what
 * the round cost the director (bash's `times`: the round's shell, then the programs it waited for). After `@ start`,
 * where the kernel keeps pressure stall information, `@ cpu-pressure P`: the share of the last 10 s in which tasks on
 * the director waited for a CPU (`some avg10` of /proc/pressure/cpu, a builtin read). A `w` target is
 * probed by its
 * own `timeout -s KILL` bash, killed at the deadline: a dead address costs two processes, never the round.
 * A connect that hangs for the first time holds the round until the caller's timeout ends it.
 */
/**
 * Rounds side by side (a console and a serve probing from one director) take turns: a lock file in $TMPDIR per set of
 * targets (`lv_rk`, a hash of the round's arguments: only the same probes of the same servers with the same deadline
 * are shared) holds the number of the round's shell while it probes. A round that waited its turn prints the last
 * round's lines when that round ended after this one began (the servers answered, or did not, since this round was
 * asked for) instead of probing them again; its \`times\` is that round's. A round never waits longer than the
 * deadline for a turn (then it probes by itself, as before); one with a watched target (\`w\`) is never shared. The
 * waits are \`read -t\` on a FIFO kept per probe shell (named by its pid: the polls' sweep removes it once the shell
 * is gone). Each probe's lines go through a file of the probe shell's own (named the same way), and the round is kept
 * only while this round holds the turn (see turnLockFunctions). Kept files must be this user's own and no links.
 */
const RS_PROBE_TURN = `case "$*" in *'|w'*) c= ;; esac
lv_rnap() { [ -n "\${sf:-}" ] || { local f="\${TMPDIR:-/tmp}/.lvstop-$$-rsfifo"; [ -p "$f" ] || mkfifo -m 600 "$f"; [ -p "$f" ] && [ -O "$f" ] && exec {sf}<>"$f"; } 2>/dev/null
  if [ -n "\${sf:-}" ]; then read -r -t "$1" -u "$sf" _; else sleep "$1"; fi; return 0; }
${turnLockFunctions('lv_r', 'lv_rnap')}
[ -z "$c" ] || lv_r_turn "$c.lock" $(( dm / 50 + 2 )) || c=
o="\${TMPDIR:-/tmp}/.lvstop-$$-rso"
if [ -n "$c" ]; then for f in "$c" "$o"; do { [ ! -e "$f" ] && [ ! -L "$f" ]; } || { [ -O "$f" ] && [ ! -L "$f" ]; } || { lv_r_free "$c.lock"; c=; break; }; done; fi
if [ -n "$c" ] && [ -s "$c" ]; then
  v=; IFS= read -r -d '' v <"$c"; e=\${v##*@@lvstop-end }; e=\${e%$'\\n'}; case $e in ''|*[!0-9]*) e=0 ;; esac
  # Ended since this round began, and not after now (a clock set back must not pass an old round for a new one).
  if [ "$e" -ge "$t0" ] && [ "$e" -le "\${EPOCHREALTIME/./}" ]; then printf '%s' "\${v%@@lvstop-end *}"; lv_r_free "$c.lock"; exit 0; fi
fi
`;

export const RS_PROBE_SCRIPT = `d=$1; dm=$2; shift 2
set -f
exec 2>&1
t0=\${EPOCHREALTIME/./}
echo @ start
c=; LV_R=
[ -z "\${lv_rk:-}" ] || { c="\${TMPDIR:-/tmp}/.lvstop-rs-$lv_rk"; ${RS_PROBE_TURN} }
{ read -r _ p _ </proc/pressure/cpu && l="@ cpu-pressure \${p#avg10=}" && echo "$l" && LV_R+="$l"$'\\n'; } 2>/dev/null
P1='p1() {
  local s=\${EPOCHREALTIME/./} rc=0 line=
  if exec 3<>"/dev/tcp/$3/$4"; then
    if [ "$2" = http ]; then
      if printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: lvstop-probe\\r\\nConnection: close\\r\\n\\r\\n" "$5" "$3" >&3
      then IFS= read -r -t "$d" line <&3 || rc=4
      else rc=3
      fi
    fi
    exec 3>&-
  else
    rc=2
  fi
  line=\${line//[$'"'"'\\r\\n\\t'"'"']/ }
  echo "$1 $rc $(( (\${EPOCHREALTIME/./} - s) / 1000 )) \${line:0:200}"
}'
eval "$P1"
for t in "$@"; do
  IFS='|'; f=($t); IFS=' '
  l="\${f[0]} start $(( (\${EPOCHREALTIME/./} - t0) / 1000 ))"; echo "$l"; LV_R+="$l"$'\\n'
  if [ "\${f[5]}" = w ]; then
    timeout -s KILL "$d" bash -c "d=$d; $P1; p1 \\"\\$@\\"" rs-probe "\${f[@]:0:5}"
    [ $? -ne 137 ] || echo "\${f[0]} 5 $dm"
  elif [ -n "$c" ]; then
    # A probe's lines (a failed connect's message, then its result) go to a file first, to be kept for the others.
    p1 "\${f[@]:0:5}" >|"$o" 2>&1; v=; IFS= read -r -d '' v <"$o"; printf '%s' "$v"; LV_R+=$v
  else
    p1 "\${f[@]:0:5}"
  fi
done
e=\${EPOCHREALTIME/./}
echo @ times
times
[ -z "$c" ] || { ! lv_r_held "$c.lock" || { printf '%s@ times\\n' "$LV_R"; times; printf '@@lvstop-end %s\\n' "$e"; } >|"$c"; lv_r_free "$c.lock"; }`;

/**
 * Bound on one round: the deadline once for each target that may use all of it (an HTTP server that never
 * answers, a connect that hangs: `slow`, from the last round), once more, plus a second.
 */
export const roundKillMs = (deadlineMs: number, slow = 0) =>
  Math.ceil(((slow + 2) * Math.max(100, deadlineMs)) / 1000 + 1) * 1000;

/** The script's arguments: the deadline, then the targets (`watched`: their indexes that used the whole deadline). */
export function rsProbeArgs(
  targets: readonly ProbeTarget[],
  deadlineMs: number,
  watched: ReadonlySet<number> = new Set(),
): string[] {
  const d = Math.max(100, deadlineMs);
  return [
    (d / 1000).toFixed(3),
    String(d),
    ...targets.map((t, i) => [i, t.kind, t.address, t.port, t.path ?? '/', watched.has(i) ? 'w' : ''].join('|')),
  ];
}

/** The command for one round where the director keeps no probe shell: its own bash, killed at `roundKillMs`. */
export function rsProbeArgv(
  targets: readonly ProbeTarget[],
  deadlineMs: number,
  watched: ReadonlySet<number> = new Set(),
): string[] {
  return [
    'timeout',
    '-s',
    'KILL',
    String(roundKillMs(deadlineMs, watched.size) / 1000),
    'bash',
    '-c',
    RS_PROBE_SCRIPT,
    'rs-probe',
    ...rsProbeArgs(targets, deadlineMs, watched),
  ];
}

/**
 * The reason a failed connect gave, without the shell's prefixes:
 * `rs-probe: connect: Connection refused rs-probe: line 13: /dev/tcp/…: Connection refused` → `connection refused`.
 */
function connectError(text: string): string {
  const why = /connect: (.+?)(?:\s+\S+: line \d+:|$)/.exec(text)?.[1]?.trim() ?? '';
  return why === '' ? `connect failed: ${text.slice(0, 100)}` : why.charAt(0).toLowerCase() + why.slice(1);
}

/**
 * A director whose tasks waited for a CPU this share of the last 10 s (or more) cannot keep a probe's deadline: a
 * probe that ran out of time there says nothing about the server (a refused connect or a wrong status still does).
 */
export const STARVED_CPU_PRESSURE = 50;

/** A timed-out probe on a CPU-starved director: not judged, with the reason and what the probe saw. */
function starvedOutcome(timedOut: ProbeOutcome, pressure: number): ProbeOutcome {
  return {
    ok: undefined,
    ms: timedOut.ms,
    detail: `not judged: the director was short of CPU (tasks waited ${Math.round(pressure)}% of the last 10 s): ${timedOut.detail}`,
  };
}

function outcome(target: ProbeTarget, rc: number, ms: number, text: string, deadlineMs: number): ProbeOutcome {
  // No route to the network at all: the director cannot reach it, which says nothing about the server.
  if (rc === 2 && /network is unreachable/i.test(text)) return { ok: undefined, ms, detail: 'not probed: no route' };
  if (rc === 2) return { ok: false, ms, detail: connectError(text) };
  if (rc === 3) return { ok: false, ms, detail: 'connection closed before the request was sent' };
  if (rc === 4) return { ok: false, ms, detail: `no HTTP answer within ${deadlineMs} ms` };
  if (rc === 5) return { ok: false, ms, detail: `no answer within ${deadlineMs} ms` };
  if (rc !== 0) return { ok: undefined, ms, detail: `probe ended with code ${rc}` };
  if (target.kind === 'tcp') return { ok: true, ms, detail: 'connected' };
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})\b/.exec(text);
  if (!m) return { ok: false, ms, detail: `not an HTTP status line: ${text.slice(0, 60)}` };
  return { ok: true, ms, detail: `HTTP ${m[1]}`, status: Number(m[1]) };
}

/**
 * One round's output, one outcome per target in order. The probe that started last and never reported hung until
 * the round was killed: failed at the deadline when it had that long, else not judged; the ones after it never
 * started this round (`ok` undefined: the last verdict stands). Lines that do not fit are a parse error.
 */
export function parseRsProbe(
  text: string,
  targets: readonly ProbeTarget[],
  deadlineMs: number,
  killedAtMs = roundKillMs(deadlineMs),
): ParseResult<ProbeOutcome[]> {
  const lines = text.split('\n');
  if (lines[0] !== '@ start') return parseError('rs probe: expected "@ start" first', 1, lines[0]);
  const started = new Map<number, number>();
  const done = new Map<number, ProbeOutcome>();
  let current: number | undefined;
  let message = '';
  let pressure = 0;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '') continue;
    if (line === '@ times') break;
    const cpu = /^@ cpu-pressure (\d{1,3}(?:\.\d{1,2})?)$/.exec(line);
    if (cpu && n === 1) {
      pressure = Number(cpu[1]);
      continue;
    }
    if (line.length > MAX_LINE) return parseError('rs probe: line too long', n + 1);
    const m = /^(\d{1,6}) (?:start (\d{1,9})|(\d{1,3}) (\d{1,9}) ?(.*))$/.exec(line);
    const i = Number(m?.[1]);
    if (m && i < targets.length && m[2] !== undefined) {
      started.set(i, Number(m[2]));
      current = i;
      message = '';
    } else if (m && i === current) {
      done.set(i, outcome(targets[i]!, Number(m[3]), Number(m[4]), m[5] || message, deadlineMs));
      current = undefined;
    } else if (current !== undefined && message.length < 1000) message += `${message ? ' ' : ''}${line}`;
    else return parseError('rs probe: unexpected line', n + 1, line);
  }
  const starved = pressure >= STARVED_CPU_PRESSURE;
  const timedOut = (o: ProbeOutcome) =>
    starved && o.ok === false && / within \d+ ms$/.test(o.detail) ? starvedOutcome(o, pressure) : o;
  return ok(
    targets.map((_, i) => {
      const result = done.get(i);
      if (result) return timedOut(result);
      const at = started.get(i);
      if (at !== undefined && killedAtMs - at >= deadlineMs)
        return timedOut({ ok: false, ms: deadlineMs, detail: `no answer within ${deadlineMs} ms` });
      return { ok: undefined, ms: 0, detail: 'not probed this round: an earlier probe used up the round' };
    }),
  );
}

/** One key per way of probing one address and port: `tcp 10.0.0.1:80`, `http 10.0.0.1:80/health`. */
export function probeTargetKey(t: ProbeTarget): string {
  return `${t.kind} ${addressPort(t.address, t.port)}${t.kind === 'http' ? (t.path ?? '/') : ''}`;
}

/** The CPU a whole round cost the director (ms), from its closing `times`; undefined for a round cut short. */
export function probeRoundCpuMs(text: string): number | undefined {
  const lines = text.split('\n');
  const at = lines.lastIndexOf('@ times');
  if (at < 0) return undefined;
  const r = parseTimesLines(lines.slice(at + 1).filter((l) => l.trim() !== ''));
  return r.ok ? r.value : undefined;
}
