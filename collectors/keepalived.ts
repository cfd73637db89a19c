import {
  MAX_FIELDS,
  MAX_JSON_DEPTH,
  MAX_LINE,
  decimalNumber,
  decimalUint,
  fieldsOf,
  isCounter,
  isIpAddress,
  isPriority,
  isUnixTime,
  isVrid,
  jsonDepthWithin,
} from './field-ranges.js';
import { isSpace } from './ipvs-line-scan.js';
import { parseCheckerDump, type CheckerDump } from './keepalived-check.js';
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

/** keepalived's state codes; a Map, so no value read from a host can name an inherited property. */
const STATES = new Map<unknown, VrrpState>([
  [0, 'INIT'],
  [1, 'BACKUP'],
  [2, 'MASTER'],
  [3, 'FAULT'],
  [97, 'STOP'],
  [98, 'STOP'],
]);

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
 * It is the body of a shell function (an inline section: `return`, never `exit`), run in the poll's own shell: under
 * bash it starts no process at all once the signal numbers are known (the waits are `lv_sleep`, the reads `lv_cat`);
 * under sh, a few growing `sleep`s. A stopped keepalived is told from /proc at once instead of waited for.
 * Pollers side by side (a console and a serve on one director) take turns: a lock file in $TMPDIR holds the number
 * of the shell that signalled, from the signal to the end of the read, so that no poller's signal makes keepalived
 * rewrite a dump another is reading. Emptied, not removed, when done (removing would cost a process each poll); a
 * lock whose holder's shell is gone is taken over; one held longer than the wait is ignored.
 */
export const KEEPALIVED_DUMP_SCRIPT = `pidfile=$1; js=$2; ds=$3; only=$4; waits="0.05 0.1 0.2 0.4 0.8"; total=1.55
[ "$5" = long ] && { waits="$waits 1.6 3.2"; total=6.35; }
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
  for w in 0.02 0.05 0.1 0.2 0.4 0.4; do
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
fresh() { { [ "$only" = json ] || [ ! /tmp/keepalived.data -ot "$mark" ]; } && { [ "$js" = none ] || [ ! /tmp/keepalived.json -ot "$mark" ]; }; }
out() {
  lv_sleep 0.02
  [ "$js" = none ] || lv_cat /tmp/keepalived.json
  [ "$only" = json ] && return 0
  echo; echo @@keepalived-data
  lv_cat /tmp/keepalived.data
  [ -n "$ck" ] && [ ! /tmp/keepalived_check.data -ot "$mark" ] && { echo; echo @@keepalived-check; lv_cat /tmp/keepalived_check.data; }
  return 0
}
dump() {
  { [ -O "$mark" ] && [ ! -L "$mark" ] && : >|"$mark"; } || { set -C; : >"$mark"; r=$?; set +C; [ $r -eq 0 ]; } || return 5
  [ "$js" = none ] || kill -"$js" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; return 4; }
  [ "$only" = json ] || kill -"$ds" "$pid" 2>/dev/null || { echo "not allowed to signal keepalived pid $pid" >&2; return 4; }
  for w in $waits; do
    lv_sleep "$w"
    fresh || continue
    # The checker process writes its own dump on the same signal: wait a little for it, never fail for it.
    [ -z "$ck" ] || [ ! /tmp/keepalived_check.data -ot "$mark" ] || [ $((late += 1)) -gt 2 ] || continue
    out; return 0
  done
  fresh && { out; return 0; }
  echo "keepalived not answering: pid $pid wrote no dump within $total s" >&2; return 5
}
ka_lock
dump; rc=$?
ka_unlock
return $rc`;

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

/** `10.0.0.1/24 dev eth0 scope global set` → `10.0.0.1`; undefined unless that is an IP address. */
function vipAddress(vip: string): string | undefined {
  const t = vip.trim();
  let end = 0;
  while (end < t.length && !isSpace(t.charCodeAt(end))) end++;
  let address = t.slice(0, end);
  const slash = address.lastIndexOf('/');
  if (slash >= 0 && decimalUint(address.slice(slash + 1), 3) !== undefined) address = address.slice(0, slash);
  return isIpAddress(address) ? address : undefined;
}

const MAX_INSTANCES = 4096;
const MAX_NAME = 256;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME;

type Fields = Readonly<Record<string, unknown>>;
/** An own property of a JSON object (never one inherited from Object.prototype). */
const own = (o: Fields, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON number field that must pass `valid` when present; 0 when absent or not a number (as keepalived omits). */
function numberField(o: Fields, k: string, valid: (n: number) => boolean): number | string {
  const v = own(o, k);
  if (typeof v !== 'number') return 0;
  return valid(v) ? v : `${k} out of range: ${v}`;
}

function jsonStats(s: Fields): VrrpInstance['stats'] | string {
  const names = [
    ['advertReceived', 'advert_rcvd'],
    ['advertSent', 'advert_sent'],
    ['becameMaster', 'become_master'],
    ['releasedMaster', 'release_master'],
    ['priorityZeroReceived', 'pri_zero_rcvd'],
    ['priorityZeroSent', 'pri_zero_sent'],
  ] as const;
  const out: Record<string, number> = {};
  for (const [name, key] of names) {
    const v = numberField(s, key, isCounter);
    if (typeof v === 'string') return v;
    out[name] = v;
  }
  return out as unknown as VrrpInstance['stats'];
}

function jsonInstance(item: unknown, i: number): VrrpInstance | string {
  const d = isObject(item) ? own(item, 'data') : undefined;
  const s = isObject(item) ? own(item, 'stats') : undefined;
  if (!isObject(d) || !isName(own(d, 'iname')) || typeof own(d, 'state') !== 'number')
    return `instance ${i} lacks iname, state or vrid`;
  const vrid = own(d, 'vrid');
  if (typeof vrid !== 'number') return `instance ${i} lacks iname, state or vrid`;
  if (!isVrid(vrid)) return `instance ${i}: vrid out of range (1..255): ${vrid}`;
  const base = numberField(d, 'base_priority', isPriority);
  const effective = numberField(d, 'effective_priority', isPriority);
  const transition = own(d, 'last_transition');
  if (typeof base === 'string' || typeof effective === 'string') return `instance ${i}: ${base}${effective}`;
  if (typeof transition === 'number' && !isUnixTime(transition))
    return `instance ${i}: last_transition out of range: ${transition}`;
  const rawVips = own(d, 'vips');
  const vips: string[] = [];
  if (Array.isArray(rawVips))
    for (const v of rawVips) {
      if (typeof v !== 'string') continue;
      const a = vipAddress(v.slice(0, MAX_LINE));
      if (!a) return `instance ${i}: VIP is not an IP address: ${v.slice(0, 80)}`;
      vips.push(a);
    }
  const stats = isObject(s) ? jsonStats(s) : undefined;
  if (typeof stats === 'string') return `instance ${i}: ${stats}`;
  const wantstate = own(d, 'wantstate');
  const ifname = own(d, 'ifp_ifname');
  const vipset = own(d, 'vipset');
  return {
    name: own(d, 'iname') as string,
    vrid,
    state: STATES.get(own(d, 'state')) ?? 'UNKNOWN',
    ...(typeof wantstate === 'number' ? { wantState: STATES.get(wantstate) ?? 'UNKNOWN' } : {}),
    basePriority: base,
    effectivePriority: effective,
    ...(isName(ifname) ? { interface: ifname } : {}),
    ...(typeof transition === 'number' ? { lastTransition: transition } : {}),
    vips,
    ...(typeof vipset === 'boolean' ? { vipsSet: vipset } : {}),
    trackFiles: [],
    ...(stats ? { stats } : {}),
  };
}

/** Parse /tmp/keepalived.json (keepalived built with --enable-json; Debian's is). */
export function parseKeepalivedJson(text: string): ParseResult<VrrpInstance[]> {
  if (!jsonDepthWithin(text)) return parseError(`keepalived.json: nested deeper than ${MAX_JSON_DEPTH} levels`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return parseError(`keepalived.json is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!Array.isArray(raw)) return parseError('keepalived.json: expected an array of instances');
  if (raw.length > MAX_INSTANCES) return parseError(`keepalived.json: more than ${MAX_INSTANCES} instances`);
  const out: VrrpInstance[] = [];
  for (let i = 0; i < raw.length; i++) {
    const inst = jsonInstance(raw[i], i);
    if (typeof inst === 'string') return parseError(`keepalived.json: ${inst}`);
    out.push(inst);
  }
  return ok(out);
}

const STATE_NAMES = new Map<string, VrrpState>([
  ['INIT', 'INIT'],
  ['BACKUP', 'BACKUP'],
  ['MASTER', 'MASTER'],
  ['FAULT', 'FAULT'],
  ['STOP', 'STOP'],
]);

type MutableInstance = { -readonly [K in keyof VrrpInstance]: VrrpInstance[K] } & {
  vips: string[];
  trackFiles: string[];
};

/** One `   Key = value` line of an instance in the data dump; a fault text when the value is out of range. */
function setInstanceField(inst: MutableInstance, key: string, value: string): string | undefined {
  const uint = (max: number) => {
    const n = decimalUint(value, 3);
    return n !== undefined && n <= max ? n : undefined;
  };
  if (key === 'State') inst.state = STATE_NAMES.get(value) ?? 'UNKNOWN';
  else if (key === 'Wantstate') inst.wantState = STATE_NAMES.get(value) ?? 'UNKNOWN';
  else if (key === 'Virtual Router ID') {
    const n = uint(255);
    if (n === undefined || !isVrid(n)) return `Virtual Router ID out of range (1..255): ${value.slice(0, 40)}`;
    inst.vrid = n;
  } else if (key === 'Priority' || key === 'Effective priority') {
    const n = uint(255);
    if (n === undefined) return `${key} out of range (0..255): ${value.slice(0, 40)}`;
    if (key === 'Priority') inst.basePriority = n;
    else inst.effectivePriority = n;
  } else if (key === 'Interface') inst.interface = value;
  else if (key === 'Last transition') {
    const t = decimalNumber(value.slice(0, value.indexOf(' ') < 0 ? value.length : value.indexOf(' ')));
    if (t === undefined || !isUnixTime(t)) return `Last transition out of range: ${value.slice(0, 40)}`;
    inst.lastTransition = t;
  }
  return undefined;
}

const signedInt = (text: string): number | undefined => {
  const neg = text.startsWith('-');
  const n = decimalUint(neg ? text.slice(1) : text, 10);
  return n === undefined || n > 2 ** 31 ? undefined : neg ? -n : n;
};

/** Parse /tmp/keepalived.data: instances (fallback when there is no JSON) and the track files' live status. */
export function parseKeepalivedData(text: string): ParseResult<KeepalivedDump> {
  if (!text.includes('------< ')) return parseError('keepalived.data: no "------< section >------" headings');
  const instances: VrrpInstance[] = [];
  const trackFiles: TrackFileStatus[] = [];
  let section = '';
  let inst: MutableInstance | undefined;
  let list: 'vips' | 'track' | undefined;
  let track: { name: string; file: string; status: number; weight: number } | undefined;
  let fault: string | undefined;
  const flush = () => {
    if (inst && !isVrid(inst.vrid)) fault = `instance ${inst.name} has no Virtual Router ID`;
    else if (inst) instances.push(inst);
    inst = undefined;
    if (track) trackFiles.push(track);
    track = undefined;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && fault === undefined; n++) {
    const line = lines[n]!;
    if (line.length > MAX_LINE) return parseError(`keepalived.data: line longer than ${MAX_LINE} characters`, n + 1);
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
        fault = setInstanceField(inst, kv[1]!, kv[2]!);
        continue;
      }
      if (/^ {3}Virtual IP \(\d+\):$/.test(line)) list = 'vips';
      else if (/^ {3}Tracked files :$/.test(line)) list = 'track';
      else if (/^ {5}\S/.test(line) && list === 'vips') {
        const vip = vipAddress(line);
        if (!vip) fault = `VIP is not an IP address: ${line.trim().slice(0, 80)}`;
        else inst.vips.push(vip);
        if (line.endsWith(' set')) inst.vipsSet = true;
      } else if (/^ {5}\S/.test(line) && list === 'track') inst.trackFiles.push(line.trim().split(',')[0]!);
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
        else {
          const v = signedInt(kv[2]!);
          if (v === undefined) fault = `track file ${track.name}: ${kv[1]} is not an integer`;
          else if (kv[1] === 'Status') track.status = v;
          else track.weight = v;
        }
      }
    }
  }
  if (fault === undefined) flush();
  if (fault !== undefined) return parseError(`keepalived.data: ${fault}`);
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
      /** keepalived's health checkers and the weights it intends, from the checker dump (data dumps only). */
      readonly checkers?: CheckerDump;
    }
  | { readonly status: 'not-running' | 'permission' | 'timeout' | 'error'; readonly message: string };

export interface NotifyLine {
  readonly at: number;
  readonly instance: string;
  readonly state: string;
}

/**
 * Lines a keepalived notify script appends: `<unix time> <instance> <STATE>`. Other lines, over-long ones and times
 * outside the range a Date can show are skipped.
 */
export function parseNotifyLog(text: string): NotifyLine[] {
  const out: NotifyLine[] = [];
  for (const line of text.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const f = fieldsOf(line, MAX_FIELDS);
    const at = f && f.length >= 3 ? decimalNumber(f[0]!) : undefined;
    if (at === undefined || !isUnixTime(at)) continue;
    out.push({ at, instance: f![1]!, state: f![2]! });
  }
  return out;
}

function failure(out: SectionOutput): KeepalivedReading {
  const message = out.stderr.trim().split('\n')[0]?.slice(0, 300) || `exit code ${out.exitCode}`;
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
  const rest = out.stdout.slice(at + '\n@@keepalived-data\n'.length);
  const ckAt = rest.indexOf('\n@@keepalived-check\n');
  const dump = parseKeepalivedData(ckAt < 0 ? rest : rest.slice(0, ckAt));
  // The checker view is an addition: a dump keepalived cut short leaves it out, never the VRRP reading.
  const checked = ckAt < 0 ? undefined : parseCheckerDump(rest.slice(ckAt + '\n@@keepalived-check\n'.length));
  const checkers = checked?.ok ? { checkers: checked.value } : {};
  if (!dump.ok) return { status: 'error', message: dump.error.message };
  if (jsonText === '')
    return {
      status: 'ok',
      source: 'data',
      instances: dump.value.instances,
      trackFiles: dump.value.trackFiles,
      notify,
      ...checkers,
    };
  const parsed = parseKeepalivedJson(jsonText);
  if (!parsed.ok) return { status: 'error', message: parsed.error.message };
  // JSON has no track-file names per instance; take them from the data dump.
  const tracked = new Map(dump.value.instances.map((i) => [i.name, i.trackFiles]));
  const instances = parsed.value.map((i) => ({ ...i, trackFiles: tracked.get(i.name) ?? [] }));
  return { status: 'ok', source: 'json', instances, trackFiles: dump.value.trackFiles, notify, ...checkers };
}
