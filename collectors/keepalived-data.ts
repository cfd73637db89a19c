import { MAX_LINE, decimalNumber, decimalUint, isUnixTime, isVrid } from './field-ranges.js';
import {
  vipAddress,
  type KeepalivedDump,
  type TrackFileStatus,
  type VrrpInstance,
  type VrrpState,
} from './keepalived-vrrp.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

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
  } else if (key === 'Advert interval') {
    // `1 sec` (keepalived 2.x) or `1000 milli-sec` (older); anything else is left unread.
    const m = /^(\d+(?:\.\d+)?) (sec|milli-sec)$/.exec(value);
    const sec = m ? Number(m[1]) / (m[2] === 'sec' ? 1 : 1000) : 0;
    if (sec > 0 && sec <= 255) inst.advertIntSec = sec;
  } else if (key === 'VRRP Version' && (value === '2' || value === '3')) inst.version = value === '2' ? 2 : 3;
  return undefined;
}

const signedInt = (text: string): number | undefined => {
  const neg = text.startsWith('-');
  const n = decimalUint(neg ? text.slice(1) : text, 10);
  return n === undefined || n > 2 ** 31 ? undefined : neg ? -n : n;
};

/** The walk over a data dump: what is read so far, the instance or track file being read, and the first fault. */
interface DataWalk {
  readonly instances: VrrpInstance[];
  readonly trackFiles: TrackFileStatus[];
  inst: MutableInstance | undefined;
  /** The list of the instance that the indented lines belong to. */
  list: 'vips' | 'track' | undefined;
  track: { name: string; file: string; status: number; weight: number } | undefined;
  fault: string | undefined;
}

/** Ends the instance and the track file being read; an instance without a VRID is a fault. */
function flush(w: DataWalk): void {
  if (w.inst && !isVrid(w.inst.vrid)) w.fault = `instance ${w.inst.name} has no Virtual Router ID`;
  else if (w.inst) w.instances.push(w.inst);
  w.inst = undefined;
  if (w.track) w.trackFiles.push(w.track);
  w.track = undefined;
}

/** A line of `VRRP Topology`: an instance's start, one of its `Key = value` fields, or an entry of one of its lists. */
function topologyLine(w: DataWalk, line: string): void {
  const start = /^ VRRP Instance = (\S+)/.exec(line);
  if (start) {
    flush(w);
    w.inst = {
      name: start[1]!,
      vrid: 0,
      state: 'UNKNOWN',
      basePriority: 0,
      effectivePriority: 0,
      vips: [],
      trackFiles: [],
    };
    w.list = undefined;
    return;
  }
  const inst = w.inst;
  if (!inst) return;
  const kv = /^ {3}([A-Za-z][^=]*?) = (.*)$/.exec(line);
  if (kv) {
    w.list = undefined;
    w.fault = setInstanceField(inst, kv[1]!, kv[2]!);
    return;
  }
  if (/^ {3}Virtual IP \(\d+\):$/.test(line)) w.list = 'vips';
  else if (/^ {3}Tracked files :$/.test(line)) w.list = 'track';
  else if (/^ {5}\S/.test(line) && w.list === 'vips') {
    const vip = vipAddress(line);
    if (!vip) w.fault = `VIP is not an IP address: ${line.trim().slice(0, 80)}`;
    else inst.vips.push(vip);
    if (line.endsWith(' set')) inst.vipsSet = true;
  } else if (/^ {5}\S/.test(line) && w.list === 'track') inst.trackFiles.push(line.trim().split(',')[0]!);
  else if (/^ {3}\S/.test(line)) w.list = undefined;
}

/** A line of `VRRP Track files`: a track file's start, or its File, Status or Weight. */
function trackFileLine(w: DataWalk, line: string): void {
  const start = /^ Track file = (\S+)/.exec(line);
  if (start) {
    if (w.track) w.trackFiles.push(w.track);
    w.track = { name: start[1]!, file: '', status: 0, weight: 0 };
    return;
  }
  const kv = /^ {3}(File|Status|Weight) = (.*)$/.exec(line);
  const track = w.track;
  if (!track || !kv) return;
  if (kv[1] === 'File') track.file = kv[2]!;
  else {
    const v = signedInt(kv[2]!);
    if (v === undefined) w.fault = `track file ${track.name}: ${kv[1]} is not an integer`;
    else if (kv[1] === 'Status') track.status = v;
    else track.weight = v;
  }
}

/** The end of the message of a data dump refused as read while keepalived was writing it. */
export const DATA_CUT_SHORT = 'the dump was cut short (read while keepalived wrote it)';

/**
 * Parse /tmp/keepalived.data: instances (fallback when there is no JSON) and the track files' live status.
 * keepalived writes the dump as it walks its data, and always ends it with its `Interfaces` (a VRRP instance has
 * one): a dump with instances or track files but no `Interfaces` heading after them was read before it was whole,
 * and its last instance or track file may lack its state, VIPs or status. It is refused (DATA_CUT_SHORT).
 */
export function parseKeepalivedData(text: string): ParseResult<KeepalivedDump> {
  if (!text.includes('------< ')) return parseError('keepalived.data: no "------< section >------" headings');
  const w: DataWalk = {
    instances: [],
    trackFiles: [],
    inst: undefined,
    list: undefined,
    track: undefined,
    fault: undefined,
  };
  let section = '';
  let whole = true;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && w.fault === undefined; n++) {
    const line = lines[n]!;
    if (line.length > MAX_LINE) return parseError(`keepalived.data: line longer than ${MAX_LINE} characters`, n + 1);
    const heading = /^------< (.+) >------$/.exec(line);
    if (heading) {
      flush(w);
      section = heading[1]!;
      if (section === 'VRRP Topology' || section === 'VRRP Track files') whole = false;
      else if (section === 'Interfaces') whole = true;
    } else if (section === 'VRRP Topology') topologyLine(w, line);
    else if (section === 'VRRP Track files') trackFileLine(w, line);
  }
  if (w.fault === undefined && !whole) return parseError(`keepalived.data: no Interfaces section: ${DATA_CUT_SHORT}`);
  if (w.fault === undefined) flush(w);
  if (w.fault !== undefined) return parseError(`keepalived.data: ${w.fault}`);
  return ok({ instances: w.instances, trackFiles: w.trackFiles });
}
