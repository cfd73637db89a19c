import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'UNKNOWN';

export interface VrrpInstance {
  readonly name: string;
  readonly vrid: number;
  readonly state: VrrpState;
  readonly wantState?: VrrpState;
  readonly basePriority: number;
  readonly effectivePriority: number;
  readonly interface?: string;
  /** Unix seconds of the last state change, as keepalived recorded it. */
  readonly lastTransition?: number;
  /** VIPs as configured, without the prefix length. */
  readonly vips: readonly string[];
  /** keepalived says the VIPs are set on this host. */
  readonly vipsSet?: boolean;
  readonly trackFiles: readonly string[];
  readonly stats?: {
    readonly advertReceived: number;
    readonly advertSent: number;
    readonly becameMaster: number;
    readonly releasedMaster: number;
    readonly priorityZeroReceived: number;
    readonly priorityZeroSent: number;
  };
}

export interface TrackFileStatus {
  readonly name: string;
  readonly file: string;
  readonly status: number;
  readonly weight: number;
}

export interface KeepalivedDump {
  readonly instances: readonly VrrpInstance[];
  readonly trackFiles: readonly TrackFileStatus[];
}

const STATES: Record<number, VrrpState> = { 0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'STOP', 98: 'STOP' };

/**
 * Signals only this host's keepalived (by its pid file) to write its JSON and data dumps, waits until both files are
 * rewritten, prints the JSON, a `@@keepalived-data` line, then the data dump.
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
mark="\${TMPDIR:-/tmp}/.lvstop-ka-$$"
: >"$mark" || exit 5
trap 'rm -f "$mark"' EXIT
[ "$js" = none ] || kill -"$js" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; exit 4; }
[ "$only" = json ] || kill -"$ds" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; exit 4; }
rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }
# File times are as coarse as the kernel tick: a dump written in the tick the mark was made has the same time, so
# "not older than the mark" is fresh. A fresh dump is read a moment later, when keepalived has finished writing it.
fresh() { { [ "$only" = json ] || [ ! /tmp/keepalived.data -ot "$mark" ]; } && { [ "$js" = none ] || [ ! /tmp/keepalived.json -ot "$mark" ]; }; }
for w in $waits; do
  sleep "$w"
  fresh || continue
  sleep 0.02
  [ "$js" = none ] || rd /tmp/keepalived.json
  [ "$only" = json ] && exit 0
  echo; echo @@keepalived-data
  rd /tmp/keepalived.data
  exit 0
done
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

const stripPrefix = (vip: string) => (vip.split(/\s+/)[0] ?? '').replace(/\/\d+$/, '');

/** Parse /tmp/keepalived.json (keepalived built with --enable-json; Debian's is). */
export function parseKeepalivedJson(text: string): ParseResult<VrrpInstance[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return parseError(`keepalived.json is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) return parseError('keepalived.json: expected an array of instances');
  const out: VrrpInstance[] = [];
  for (const [i, item] of raw.entries()) {
    const d = (item as { data?: Record<string, unknown> })?.data;
    const s = (item as { stats?: Record<string, unknown> })?.stats;
    if (!d || typeof d.iname !== 'string' || typeof d.state !== 'number' || typeof d.vrid !== 'number')
      return parseError(`keepalived.json: instance ${i} lacks iname, state or vrid`);
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    out.push({
      name: d.iname,
      vrid: d.vrid,
      state: STATES[d.state] ?? 'UNKNOWN',
      ...(typeof d.wantstate === 'number' ? { wantState: STATES[d.wantstate] ?? 'UNKNOWN' } : {}),
      basePriority: num(d.base_priority),
      effectivePriority: num(d.effective_priority),
      ...(typeof d.ifp_ifname === 'string' ? { interface: d.ifp_ifname } : {}),
      ...(typeof d.last_transition === 'number' ? { lastTransition: d.last_transition } : {}),
      vips: Array.isArray(d.vips) ? d.vips.filter((v): v is string => typeof v === 'string').map(stripPrefix) : [],
      ...(typeof d.vipset === 'boolean' ? { vipsSet: d.vipset } : {}),
      trackFiles: [],
      ...(s
        ? {
            stats: {
              advertReceived: num(s.advert_rcvd),
              advertSent: num(s.advert_sent),
              becameMaster: num(s.become_master),
              releasedMaster: num(s.release_master),
              priorityZeroReceived: num(s.pri_zero_rcvd),
              priorityZeroSent: num(s.pri_zero_sent),
            },
          }
        : {}),
    });
  }
  return ok(out);
}

const STATE_NAMES: Record<string, VrrpState> = {
  INIT: 'INIT',
  BACKUP: 'BACKUP',
  MASTER: 'MASTER',
  FAULT: 'FAULT',
  STOP: 'STOP',
};

/** Parse /tmp/keepalived.data: instances (fallback when there is no JSON) and the track files' live status. */
export function parseKeepalivedData(text: string): ParseResult<KeepalivedDump> {
  if (!text.includes('------< ')) return parseError('keepalived.data: no "------< section >------" headings');
  const instances: VrrpInstance[] = [];
  const trackFiles: TrackFileStatus[] = [];
  let section = '';
  let inst: { -readonly [K in keyof VrrpInstance]: VrrpInstance[K] } | undefined;
  let list: 'vips' | 'track' | undefined;
  let track: { name: string; file: string; status: number; weight: number } | undefined;
  const flush = () => {
    if (inst) instances.push(inst);
    inst = undefined;
    if (track) trackFiles.push(track);
    track = undefined;
  };
  for (const line of text.split('\n')) {
    const heading = /^------< (.+) >------$/.exec(line);
    if (heading) {
      flush();
      section = heading[1]!;
      continue;
    }
    if (section === 'VRRP Topology') {
      const start = /^ VRRP Instance = (\S+)/.exec(line);
      if (start) {
        flush();
        inst = {
          name: start[1]!,
          vrid: 0,
          state: 'UNKNOWN',
          basePriority: 0,
          effectivePriority: 0,
          vips: [],
          trackFiles: [],
        };
        list = undefined;
        continue;
      }
      if (!inst) continue;
      const kv = /^ {3}([A-Za-z][^=]*?) = (.*)$/.exec(line);
      if (kv) {
        list = undefined;
        const [key, value] = [kv[1]!, kv[2]!];
        if (key === 'State') inst.state = STATE_NAMES[value] ?? 'UNKNOWN';
        else if (key === 'Wantstate') inst.wantState = STATE_NAMES[value] ?? 'UNKNOWN';
        else if (key === 'Virtual Router ID') inst.vrid = Number(value);
        else if (key === 'Priority') inst.basePriority = Number(value);
        else if (key === 'Effective priority') inst.effectivePriority = Number(value);
        else if (key === 'Interface') inst.interface = value;
        else if (key === 'Last transition') inst.lastTransition = Number(value.split(' ')[0]);
        continue;
      }
      if (/^ {3}Virtual IP \(\d+\):$/.test(line)) list = 'vips';
      else if (/^ {3}Tracked files :$/.test(line)) list = 'track';
      else if (/^ {5}\S/.test(line) && list === 'vips') {
        inst.vips = [...inst.vips, stripPrefix(line.trim())];
        if (/ set$/.test(line)) inst.vipsSet = true;
      } else if (/^ {5}\S/.test(line) && list === 'track')
        inst.trackFiles = [...inst.trackFiles, line.trim().split(',')[0]!];
      else if (/^ {3}\S/.test(line)) list = undefined;
    } else if (section === 'VRRP Track files') {
      const start = /^ Track file = (\S+)/.exec(line);
      if (start) {
        if (track) trackFiles.push(track);
        track = { name: start[1]!, file: '', status: 0, weight: 0 };
        continue;
      }
      const kv = /^ {3}(File|Status|Weight) = (.*)$/.exec(line);
      if (track && kv) {
        if (kv[1] === 'File') track.file = kv[2]!;
        else if (kv[1] === 'Status') track.status = Number(kv[2]);
        else track.weight = Number(kv[2]);
      }
    }
  }
  flush();
  return ok({ instances, trackFiles });
}

export type KeepalivedReading =
  | {
      readonly status: 'ok';
      readonly source: 'json' | 'data';
      readonly instances: readonly VrrpInstance[];
      readonly trackFiles: readonly TrackFileStatus[];
      readonly notify: readonly NotifyLine[];
      /** JSON only: instances' track-file names and the track files' status are not in this reading. */
      readonly partial?: boolean;
    }
  | { readonly status: 'not-running' | 'permission' | 'timeout' | 'error'; readonly message: string };

export interface NotifyLine {
  readonly at: number;
  readonly instance: string;
  readonly state: string;
}

/** Lines a keepalived notify script appends: `<unix time> <instance> <STATE>`. Other lines are skipped. */
export function parseNotifyLog(text: string): NotifyLine[] {
  return text
    .split('\n')
    .map((l) => /^(\d+(?:\.\d+)?)\s+(\S+)\s+(\S+)/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Number(m[1]), instance: m[2]!, state: m[3]! }));
}

function failure(out: SectionOutput): KeepalivedReading {
  const message = out.stderr.trim().split('\n')[0] || `exit code ${out.exitCode}`;
  if (out.exitCode === 3) return { status: 'not-running', message };
  if (out.exitCode === 4) return { status: 'permission', message };
  if (out.exitCode === 5 || out.exitCode === 7 || out.exitCode === 137)
    return { status: 'timeout', message: out.exitCode === 137 ? 'keepalived not answering: dump timed out' : message };
  return { status: 'error', message };
}

export function interpretKeepalived(sections: ReadonlyMap<string, SectionOutput>): KeepalivedReading {
  const out = sections.get('keepalived');
  const notifyOut = sections.get('keepalived-notify');
  const notify = notifyOut?.exitCode === 0 ? parseNotifyLog(notifyOut.stdout) : [];
  if (!out) return { status: 'error', message: 'no keepalived section in the poll output' };
  if (out.exitCode !== 0) return failure({ ...out, stderr: out.stderr.replace(/^signums .*\n?/m, '') });
  const at = out.stdout.indexOf('\n@@keepalived-data\n');
  if (at < 0) {
    // A JSON-only poll: track files are left as the last data dump had them.
    const parsed = parseKeepalivedJson(out.stdout);
    return parsed.ok
      ? { status: 'ok', source: 'json', instances: parsed.value, trackFiles: [], notify, partial: true }
      : { status: 'error', message: parsed.error.message };
  }
  const jsonText = out.stdout.slice(0, at).trim();
  const dump = parseKeepalivedData(out.stdout.slice(at + '\n@@keepalived-data\n'.length));
  if (!dump.ok) return { status: 'error', message: dump.error.message };
  if (jsonText === '')
    return { status: 'ok', source: 'data', instances: dump.value.instances, trackFiles: dump.value.trackFiles, notify };
  const parsed = parseKeepalivedJson(jsonText);
  if (!parsed.ok) return { status: 'error', message: parsed.error.message };
  // JSON has no track-file names per instance; take them from the data dump.
  const tracked = new Map(dump.value.instances.map((i) => [i.name, i.trackFiles]));
  const instances = parsed.value.map((i) => ({ ...i, trackFiles: tracked.get(i.name) ?? [] }));
  return { status: 'ok', source: 'json', instances, trackFiles: dump.value.trackFiles, notify };
}
