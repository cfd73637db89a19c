import { MAX_LINE } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

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
 * Probes the targets one after another from one bash: /dev/tcp connects and `read -t` waits without starting a
 * program, so a round costs the director two processes (timeout and bash) however many servers it probes. $1 the
 * deadline in seconds, then one `index|kind|address|port|path` per target. Prints `@ start`, then per probe
 * `I start MS` (MS after the round began), bash's own message when a connect fails (stderr joins stdout: one probe
 * at a time, so the message belongs to the probe that started last), and `I RC MS TEXT` when it ends: RC 0
 * connected (http: TEXT is the status line), 2 connect failed, 3 send failed, 4 no status line within the deadline.
 * A connect that hangs (a dropped SYN) is ended by the caller killing the round (`timeout -s KILL`, see
 * `roundKillMs`): the prober puts the targets that hung last time at the end, so they never hold up the others.
 */
export const RS_PROBE_SCRIPT = `d=$1; shift
set -f
exec 2>&1
t0=\${EPOCHREALTIME/./}
echo @ start
for t in "$@"; do
  IFS='|'; f=($t); IFS=' '
  s=\${EPOCHREALTIME/./}
  echo "\${f[0]} start $(( (s - t0) / 1000 ))"
  rc=0; line=
  if exec 3<>"/dev/tcp/\${f[2]}/\${f[3]}"; then
    if [ "\${f[1]}" = http ]; then
      if printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: lvstop-probe\\r\\nConnection: close\\r\\n\\r\\n' "\${f[4]}" "\${f[2]}" >&3
      then IFS= read -r -t "$d" line <&3 || rc=4
      else rc=3
      fi
    fi
    exec 3>&-
  else
    rc=2
  fi
  line=\${line//[$'\\r\\n\\t']/ }
  echo "\${f[0]} $rc $(( (\${EPOCHREALTIME/./} - s) / 1000 )) \${line:0:200}"
done`;

/**
 * The whole round is killed this long after it began: the deadline once for each target that may use all of it (an
 * HTTP server that never answers, a connect that hangs: `slow`, from the last round) and once more, plus a second.
 */
export const roundKillMs = (deadlineMs: number, slow = 0) =>
  Math.ceil(((slow + 2) * Math.max(100, deadlineMs)) / 1000 + 1) * 1000;

/** The command for one round. */
export function rsProbeArgv(targets: readonly ProbeTarget[], deadlineMs: number, slow = 0): string[] {
  const d = Math.max(0.1, deadlineMs / 1000);
  return [
    'timeout',
    '-s',
    'KILL',
    String(roundKillMs(deadlineMs, slow) / 1000),
    'bash',
    '-c',
    RS_PROBE_SCRIPT,
    'rs-probe',
    d.toFixed(3),
    ...targets.map((t, i) => [i, t.kind, t.address, t.port, t.path ?? '/'].join('|')),
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

function outcome(target: ProbeTarget, rc: number, ms: number, text: string, deadlineMs: number): ProbeOutcome {
  // No route to the network at all: the director cannot reach it, which says nothing about the server.
  if (rc === 2 && /network is unreachable/i.test(text)) return { ok: undefined, ms, detail: 'not probed: no route' };
  if (rc === 2) return { ok: false, ms, detail: connectError(text) };
  if (rc === 3) return { ok: false, ms, detail: 'connection closed before the request was sent' };
  if (rc === 4) return { ok: false, ms, detail: `no HTTP answer within ${deadlineMs} ms` };
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
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '') continue;
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
  return ok(
    targets.map((_, i) => {
      const result = done.get(i);
      if (result) return result;
      const at = started.get(i);
      if (at !== undefined && killedAtMs - at >= deadlineMs)
        return { ok: false, ms: deadlineMs, detail: `no answer within ${deadlineMs} ms` };
      return { ok: undefined, ms: 0, detail: 'not probed this round: an earlier probe used up the round' };
    }),
  );
}

/** One key per way of probing one address and port: `tcp 10.0.0.1:80`, `http 10.0.0.1:80/health`. */
export function probeTargetKey(t: ProbeTarget): string {
  const addr = t.address.includes(':') ? `[${t.address}]` : t.address;
  return `${t.kind} ${addr}:${t.port}${t.kind === 'http' ? (t.path ?? '/') : ''}`;
}
