/**
 * Independent checks of what a parser accepted: written from the ranges themselves (ports, weights, marks, counters,
 * addresses, VRIDs, priorities, times), not from the parsers' helpers, so a parser bug cannot hide in both. Each
 * returns why a value is invalid, or undefined.
 */
import { isIP } from 'node:net';

type Why = string | undefined;

const int = (n: unknown, min: number, max: number): boolean =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
const U32 = 4294967295;

export const port = (n: unknown): Why => (int(n, 0, 65535) ? undefined : `port ${String(n)}`);
export const counter = (n: unknown): Why => (int(n, 0, 2 ** 64) ? undefined : `counter ${String(n)}`);
export const ip = (s: unknown): Why => (typeof s === 'string' && isIP(s) !== 0 ? undefined : `address ${String(s)}`);
/** Unix seconds that a Date can show and print. */
export function unixTime(t: unknown): Why {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return `time ${String(t)}`;
  try {
    new Date(t * 1000).toISOString();
    return undefined;
  } catch {
    return `time ${t} beyond the Date range`;
  }
}

export const first = (...whys: Why[]): Why => whys.find((w) => w !== undefined);
export const each = <T>(xs: Iterable<T>, f: (x: T) => Why): Why => {
  for (const x of xs) {
    const w = f(x);
    if (w) return w;
  }
  return undefined;
};

/** Nothing callable, no non-finite number, no inherited-looking key, anywhere in a parser's result. */
export function plainData(v: unknown, depth = 0): Why {
  if (depth > 12) return undefined;
  if (typeof v === 'function') return 'a function in the result';
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `non-finite number ${v}`;
  if (typeof v !== 'object' || v === null) return undefined;
  if (v instanceof Map) return each(v, ([k, x]) => first(plainData(k, depth + 1), plainData(x, depth + 1)));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return 'an exotic object';
  return each(Object.keys(v), (k) =>
    first(k === '__proto__' ? 'a __proto__ key' : undefined, plainData((v as Record<string, unknown>)[k], depth + 1)),
  );
}

interface Counters {
  conns: unknown;
  inPkts: unknown;
  outPkts: unknown;
  inBytes: unknown;
  outBytes: unknown;
}
export const counters = (c: Counters | undefined): Why =>
  c === undefined ? undefined : each([c.conns, c.inPkts, c.outPkts, c.inBytes, c.outBytes], counter);

interface Rs {
  address: unknown;
  port: unknown;
  forward: unknown;
  weight: unknown;
  activeConns: unknown;
  inactiveConns: unknown;
  counters?: Counters;
}
interface Svc {
  protocol: unknown;
  address?: unknown;
  port?: unknown;
  fwmark?: unknown;
  persistence?: unknown;
  realServers: readonly Rs[];
  counters?: Counters;
}

export const realServer = (r: Rs): Why =>
  first(
    ip(r.address),
    port(r.port),
    ['Masq', 'Route', 'Tunnel', 'Local'].includes(r.forward as string) ? undefined : `forward ${String(r.forward)}`,
    int(r.weight, 0, 65535) ? undefined : `weight ${String(r.weight)}`,
    counter(r.activeConns),
    counter(r.inactiveConns),
    counters(r.counters),
  );

export const service = (s: Svc): Why =>
  first(
    s.protocol === 'FWM'
      ? int(s.fwmark, 0, U32)
        ? undefined
        : `fwmark ${String(s.fwmark)}`
      : ['TCP', 'UDP', 'SCTP'].includes(s.protocol as string)
        ? first(ip(s.address), port(s.port))
        : `protocol ${String(s.protocol)}`,
    s.persistence === undefined || int(s.persistence, 0, U32) ? undefined : `persistence ${String(s.persistence)}`,
    counters(s.counters),
    each(s.realServers, realServer),
  );

export const table = (t: { services: readonly Svc[]; tableSize?: unknown }): Why =>
  first(
    t.tableSize === undefined || int(t.tableSize, 0, U32) ? undefined : `table size ${String(t.tableSize)}`,
    each(t.services, service),
  );

/** `ADDR:PORT` or `[V6]:PORT`, as ipvsadm prints a real server. */
export function addressPortKey(key: string): Why {
  const colon = key.lastIndexOf(':');
  const addr = key.slice(0, colon);
  const a = addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  return first(ip(a), /^\d{1,5}$/.test(key.slice(colon + 1)) ? port(Number(key.slice(colon + 1))) : `key ${key}`);
}

const STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'UNKNOWN'];
interface Instance {
  name: unknown;
  vrid: unknown;
  state: unknown;
  wantState?: unknown;
  basePriority: unknown;
  effectivePriority: unknown;
  lastTransition?: unknown;
  vips: readonly unknown[];
  stats?: Record<string, unknown>;
}
export const vrrpInstance = (i: Instance): Why =>
  first(
    typeof i.name === 'string' ? undefined : 'instance name',
    int(i.vrid, 1, 255) ? undefined : `vrid ${String(i.vrid)}`,
    STATES.includes(i.state as string) ? undefined : `state ${String(i.state)}`,
    i.wantState === undefined || STATES.includes(i.wantState as string) ? undefined : `want state`,
    int(i.basePriority, 0, 255) ? undefined : `priority ${String(i.basePriority)}`,
    int(i.effectivePriority, 0, 255) ? undefined : `effective priority ${String(i.effectivePriority)}`,
    i.lastTransition === undefined ? undefined : unixTime(i.lastTransition),
    each(i.vips, ip),
    i.stats ? each(Object.values(i.stats), counter) : undefined,
  );

export const trackFile = (t: { status: unknown; weight: unknown }): Why =>
  int(t.status, -(2 ** 31), 2 ** 31) && int(t.weight, -(2 ** 31), 2 ** 31) ? undefined : 'track file status/weight';

export const notifyLine = (n: { at: unknown; instance: unknown; state: unknown }): Why =>
  first(unixTime(n.at), typeof n.instance === 'string' && typeof n.state === 'string' ? undefined : 'notify fields');

export const interfaceAddress = (a: { address: unknown; family: unknown; prefixLength: unknown }): Why =>
  first(
    ip(a.address),
    (a.family === 'inet') === (isIP(a.address as string) === 4) && (a.family === 'inet' || a.family === 'inet6')
      ? undefined
      : `family ${String(a.family)} of ${String(a.address)}`,
    int(a.prefixLength, 0, a.family === 'inet' ? 32 : 128) ? undefined : `prefix ${String(a.prefixLength)}`,
  );

export const hostInfo = (h: {
  load1: unknown;
  load5: unknown;
  load15: unknown;
  uptimeSec: unknown;
  memTotalKb: unknown;
  memAvailableKb: unknown;
}): Why =>
  first(
    each([h.load1, h.load5, h.load15, h.uptimeSec], (n) =>
      typeof n === 'number' && Number.isFinite(n) && n >= 0 ? undefined : `load/uptime ${String(n)}`,
    ),
    counter(h.memTotalKb),
    counter(h.memAvailableKb),
    (h.memAvailableKb as number) <= (h.memTotalKb as number) ? undefined : 'MemAvailable > MemTotal',
  );

export const rates = (r: Record<string, unknown>): Why =>
  each(Object.values(r), (n) =>
    typeof n === 'number' && Number.isFinite(n) && n >= 0 ? undefined : `rate ${String(n)}`,
  );
