import {
  MAX_JSON_DEPTH,
  MAX_LINE,
  isCounter,
  isPriority,
  isUnixTime,
  isVrid,
  jsonDepthWithin,
} from './field-ranges.js';
import { vipAddress, type VrrpInstance, type VrrpState } from './keepalived-vrrp.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

/** keepalived's state codes; a Map, so no value read from a host can name an inherited property. */
const STATES = new Map<unknown, VrrpState>([
  [0, 'INIT'],
  [1, 'BACKUP'],
  [2, 'MASTER'],
  [3, 'FAULT'],
  [97, 'STOP'],
  [98, 'STOP'],
]);

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
  const advert = own(d, 'adver_int');
  const version = own(d, 'version');
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
    ...(typeof advert === 'number' && advert > 0 && advert <= 255 ? { advertIntSec: advert } : {}),
    ...(version === 2 || version === 3 ? { version } : {}),
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
