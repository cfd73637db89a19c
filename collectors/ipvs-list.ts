import { countersOf, linesOf, newLineScan, type LineScan, type Lines } from './ipvs-lines.js';
import { readListLine } from './ipvs-list-line.js';
import { readStatsLine } from './ipvs-stats-line.js';
import { pairDest, pairEnd, pairService, statsInStep, type StatsInStep } from './ipvs-stats-in-step.js';
import { serviceKey } from './ids.js';
import { ok, parseError, type ParseError, type ParseResult } from './parse-result.js';
import {
  realServerKey,
  type ForwardMethod,
  type IpvsCounters,
  type IpvsRealServer,
  type IpvsService,
  type IpvsTable,
} from './ipvs-types.js';

/** argv for the table with weights and connection counts, and for exact cumulative counters. */
export const IPVS_LIST_ARGV = ['ipvsadm', '-L', '-n', '--exact'] as const;
export const IPVS_STATS_ARGV = ['ipvsadm', '-L', '-n', '--stats', '--exact'] as const;

export { serviceKey } from './ids.js';

const lineFault = <T>(c: Lines, s: LineScan): ParseResult<T> =>
  parseError(s.fault, c.lineNo, c.text.slice(c.start, c.end));

/** Parse `ipvsadm -L -n --exact`: services with scheduler, persistence, flags; real servers with weights and connections. */
export function parseIpvsList(text: string): ParseResult<IpvsTable> {
  return readList(text, undefined)!;
}

/**
 * The list read, with counters from a --stats read taken in step when `stats` is given; undefined when the stats
 * fell out of step.
 */
function readList(text: string, stats: StatsInStep | undefined): ParseResult<IpvsTable> | undefined {
  let version: string | undefined;
  let tableSize: number | undefined;
  let sawHeader = false;
  const services: IpvsService[] = [];
  let dests: IpvsRealServer[] | undefined;
  const c = linesOf(text);
  const s = newLineScan();
  for (;;) {
    const kind = readListLine(c, s, dests !== undefined);
    if (kind === 'dest') {
      const counters = stats && pairDest(stats, c, s);
      if (stats && !counters) return undefined;
      const n = s.nums;
      dests!.push(
        realServer(text.slice(s.addressStart, s.addressEnd), s.port, s.forward, n[0]!, n[1]!, n[2]!, counters),
      );
    } else if (kind === 'service') {
      const { address, key } = serviceHead(text, s);
      const counters = stats && pairService(stats, c, s, key);
      if (stats && !counters) return undefined;
      dests = [];
      services.push({
        key,
        protocol: s.protocol,
        ...(address === undefined ? { fwmark: s.fwmark } : { address, port: s.port }),
        ipv6: s.ipv6,
        ...s.meta!,
        realServers: dests,
        ...(counters ? { counters } : {}),
      });
    } else if (kind === 'header') {
      version = s.version;
      tableSize = s.tableSize;
      sawHeader = true;
    } else if (kind === 'fault') return lineFault(c, s);
    else if (kind === 'end') break;
  }
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm -L -n output');
  if (stats && !pairEnd(stats)) return undefined;
  return ok({ ...(version ? { version } : {}), ...(tableSize ? { tableSize } : {}), services });
}

/** The service line just read: its address (none for a mark) and key. */
function serviceHead(text: string, s: LineScan): { address: string | undefined; key: string } {
  const address = s.protocol === 'FWM' ? undefined : text.slice(s.addressStart, s.addressEnd);
  return { address, key: serviceKey({ protocol: s.protocol, address, port: s.port, fwmark: s.fwmark, ipv6: s.ipv6 }) };
}

/** A real server; counters (when a stats read gave them) come last, as the merge has always put them. */
const realServer = (
  address: string,
  port: number,
  forward: ForwardMethod,
  weight: number,
  activeConns: number,
  inactiveConns: number,
  counters: IpvsCounters | undefined,
): IpvsRealServer =>
  counters
    ? { address, port, forward, weight, activeConns, inactiveConns, counters }
    : { address, port, forward, weight, activeConns, inactiveConns };

export interface IpvsStatsEntry {
  readonly serviceKey: string;
  readonly counters: IpvsCounters;
  readonly realServers: ReadonlyMap<string, IpvsCounters>;
}

/** Parse `ipvsadm -L -n --stats --exact`: cumulative counters per service and per real server. */
export function parseIpvsStats(text: string): ParseResult<ReadonlyMap<string, IpvsStatsEntry>> {
  const out = new Map<string, IpvsStatsEntry>();
  let rs: Map<string, IpvsCounters> | undefined;
  let sawHeader = false;
  const c = linesOf(text);
  const s = newLineScan();
  for (;;) {
    const kind = readStatsLine(c, s, rs !== undefined);
    if (kind === 'dest') rs!.set(text.slice(s.rawStart, s.portEnd), countersOf(s.nums));
    else if (kind === 'service') {
      const { key } = serviceHead(text, s);
      rs = new Map();
      out.set(key, { serviceKey: key, counters: countersOf(s.nums), realServers: rs });
    } else if (kind === 'header') sawHeader = true;
    else if (kind === 'fault') return lineFault(c, s);
    else if (kind === 'end') break;
  }
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm --stats output');
  return ok(out);
}

/** Both reads of a poll parsed and merged, or the first fault: the list's first, then the stats'. */
export type IpvsTableParse =
  | { readonly ok: true; readonly value: IpvsTable }
  | { readonly ok: false; readonly output: 'list' | 'stats'; readonly error: ParseError };

/**
 * Both reads of a poll, merged: in one walk over each output when the two list the same entries in the same order, as
 * reads a moment apart do, else by parseIpvsListAndStatsByKey. The answer is the same either way.
 */
export function parseIpvsListAndStats(list: string, stats: string): IpvsTableParse {
  const inStep = readList(list, statsInStep(stats));
  if (!inStep) return parseIpvsListAndStatsByKey(list, stats);
  return inStep.ok ? inStep : { ok: false, output: 'list', error: inStep.error };
}

/** Both reads parsed on their own, the stats merged into the table by key. */
export function parseIpvsListAndStatsByKey(list: string, stats: string): IpvsTableParse {
  const l = parseIpvsList(list);
  if (!l.ok) return { ok: false, output: 'list', error: l.error };
  const s = parseIpvsStats(stats);
  if (!s.ok) return { ok: false, output: 'stats', error: s.error };
  return { ok: true, value: mergeIpvsStats(l.value, s.value) };
}

/** Does a --stats key (`ADDR:PORT`, `[V6]:PORT`) name this real server? For a dotted quad, no key string is built. */
function sameRealServer(key: string, rs: IpvsRealServer): boolean {
  const a = rs.address;
  if (a.includes(':')) return key === realServerKey(rs);
  const port = String(rs.port);
  return (
    key.length === a.length + 1 + port.length &&
    key.charCodeAt(a.length) === 58 /* : */ &&
    key.startsWith(a) &&
    key.endsWith(port)
  );
}

/**
 * Attach counters from a --stats read to the table; entries that appeared in between simply have none. Both reads
 * list real servers in the kernel's order, so they are paired in step; a lookup by key covers any other order.
 */
export function mergeIpvsStats(table: IpvsTable, stats: ReadonlyMap<string, IpvsStatsEntry>): IpvsTable {
  return {
    ...table,
    services: table.services.map((svc) => {
      const entry = stats.get(svc.key);
      if (!entry) return svc;
      const inStep = entry.realServers.entries();
      const realServers = svc.realServers.map((rs) => {
        const next = inStep.next();
        const c =
          !next.done && sameRealServer(next.value[0], rs) ? next.value[1] : entry.realServers.get(realServerKey(rs));
        return c ? realServer(rs.address, rs.port, rs.forward, rs.weight, rs.activeConns, rs.inactiveConns, c) : rs;
      });
      return { ...svc, counters: entry.counters, realServers };
    }),
  };
}
