import { ok, parseError, type ParseResult } from '../../collectors/parse-result.js';
import {
  realServerKey,
  type ForwardMethod,
  type IpvsCounters,
  type IpvsProtocol,
  type IpvsRealServer,
  type IpvsService,
  type IpvsTable,
} from '../../collectors/ipvs-types.js';

/** argv for the table with weights and connection counts, and for exact cumulative counters. */
export const IPVS_LIST_ARGV = ['ipvsadm', '-L', '-n', '--exact'] as const;
export const IPVS_STATS_ARGV = ['ipvsadm', '-L', '-n', '--stats', '--exact'] as const;

const HEADER = /^IP Virtual Server version (\S+) \(size=(\d+)\)$/;
const SERVICE = /^(TCP|UDP|SCTP)\s+(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)(?:\s+(.*))?$/;
const FWM_SERVICE = /^FWM\s+(\d+)(\s+IPv6)?(?:\s+(.*))?$/;
const DEST = /^\s+->\s+(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)(?:\s+(.*))?$/;
const FORWARDS: readonly ForwardMethod[] = ['Masq', 'Route', 'Tunnel', 'Local'];

interface Head {
  protocol: IpvsProtocol;
  address?: string;
  port?: number;
  fwmark?: number;
  ipv6: boolean;
  rest: string;
}

export function serviceKey(s: {
  protocol: IpvsProtocol;
  address?: string;
  port?: number;
  fwmark?: number;
  ipv6?: boolean;
}): string {
  if (s.protocol === 'FWM') return `FWM ${s.fwmark}${s.ipv6 ? ' IPv6' : ''}`;
  const addr = s.address?.includes(':') ? `[${s.address}]` : s.address;
  return `${s.protocol} ${addr}:${s.port}`;
}

function parseHead(line: string): Head | undefined {
  const m = SERVICE.exec(line);
  if (m) {
    const address = m[2]!.replace(/^\[|\]$/g, '');
    return {
      protocol: m[1] as IpvsProtocol,
      address,
      port: Number(m[3]),
      ipv6: address.includes(':'),
      rest: m[4] ?? '',
    };
  }
  const f = FWM_SERVICE.exec(line);
  if (f) return { protocol: 'FWM', fwmark: Number(f[1]), ipv6: Boolean(f[2]), rest: f[3] ?? '' };
  return undefined;
}

function isHeaderLine(line: string): boolean {
  return HEADER.test(line) || line.startsWith('Prot LocalAddress:Port') || /^\s+-> RemoteAddress:Port/.test(line);
}

function nonNegativeInts(fields: readonly string[]): number[] | undefined {
  const out: number[] = [];
  for (const f of fields) {
    if (!/^\d+$/.test(f)) return undefined;
    out.push(Number(f));
  }
  return out;
}

function parseServiceRest(
  rest: string,
): Pick<IpvsService, 'scheduler' | 'persistence' | 'persistenceMask' | 'flags'> | undefined {
  const tokens = rest.split(/\s+/).filter(Boolean);
  const scheduler = tokens.shift();
  if (!scheduler || !/^[a-z][a-z0-9_-]*$/.test(scheduler)) return undefined;
  let persistence: number | undefined;
  let persistenceMask: string | undefined;
  const flags: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'persistent' && /^\d+$/.test(tokens[i + 1] ?? '')) persistence = Number(tokens[++i]);
    else if (t === 'mask' && tokens[i + 1]) persistenceMask = tokens[++i];
    else if ((t === 'pe' || t === 'conn_timeout' || t === 'conn-timeout') && tokens[i + 1])
      flags.push(`${t} ${tokens[++i]}`);
    else
      flags.push(
        ...t
          .replace(/^\(|\)$/g, '')
          .split(',')
          .filter(Boolean),
      );
  }
  return {
    scheduler,
    ...(persistence === undefined ? {} : { persistence }),
    ...(persistenceMask === undefined ? {} : { persistenceMask }),
    flags,
  };
}

/** Parse `ipvsadm -L -n --exact`: services with scheduler, persistence, flags; real servers with weights and connections. */
export function parseIpvsList(text: string): ParseResult<IpvsTable> {
  const lines = text.split('\n');
  let version: string | undefined;
  let tableSize: number | undefined;
  const services: IpvsService[] = [];
  let current:
    { head: Head; meta: NonNullable<ReturnType<typeof parseServiceRest>>; dests: IpvsRealServer[] } | undefined;
  const flush = () => {
    if (!current) return;
    const { head, meta, dests } = current;
    services.push({
      key: serviceKey(head),
      protocol: head.protocol,
      ...(head.address === undefined ? {} : { address: head.address, port: head.port! }),
      ...(head.fwmark === undefined ? {} : { fwmark: head.fwmark }),
      ipv6: head.ipv6,
      ...meta,
      realServers: dests,
    });
    current = undefined;
  };
  let sawHeader = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (line === '') continue;
    const h = HEADER.exec(line);
    if (h) {
      version = h[1];
      tableSize = Number(h[2]);
      sawHeader = true;
      continue;
    }
    if (isHeaderLine(line)) continue;
    const d = DEST.exec(line);
    if (d) {
      if (!current) return parseError('real server line before any service', i + 1, line);
      const fields = (d[3] ?? '').split(/\s+/).filter(Boolean);
      const forward = fields[0] as ForwardMethod;
      const nums = nonNegativeInts(fields.slice(1));
      if (!FORWARDS.includes(forward) || !nums || nums.length !== 3)
        return parseError('expected "-> ADDR:PORT Forward Weight ActiveConn InActConn"', i + 1, line);
      current.dests.push({
        address: d[1]!.replace(/^\[|\]$/g, ''),
        port: Number(d[2]),
        forward,
        weight: nums[0]!,
        activeConns: nums[1]!,
        inactiveConns: nums[2]!,
      });
      continue;
    }
    const head = parseHead(line);
    const meta = head ? parseServiceRest(head.rest) : undefined;
    if (!head || !meta) return parseError('unrecognised line in ipvsadm -L -n output', i + 1, line);
    flush();
    current = { head, meta, dests: [] };
  }
  flush();
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm -L -n output');
  return ok({ ...(version ? { version } : {}), ...(tableSize ? { tableSize } : {}), services });
}

export interface IpvsStatsEntry {
  readonly serviceKey: string;
  readonly counters: IpvsCounters;
  readonly realServers: ReadonlyMap<string, IpvsCounters>;
}

function countersOf(nums: readonly number[]): IpvsCounters {
  return { conns: nums[0]!, inPkts: nums[1]!, outPkts: nums[2]!, inBytes: nums[3]!, outBytes: nums[4]! };
}

/** Parse `ipvsadm -L -n --stats --exact`: cumulative counters per service and per real server. */
export function parseIpvsStats(text: string): ParseResult<ReadonlyMap<string, IpvsStatsEntry>> {
  const out = new Map<string, IpvsStatsEntry>();
  let current: { key: string; counters: IpvsCounters; rs: Map<string, IpvsCounters> } | undefined;
  let sawHeader = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (line === '') continue;
    if (HEADER.test(line)) {
      sawHeader = true;
      continue;
    }
    if (isHeaderLine(line)) continue;
    const d = DEST.exec(line);
    if (d) {
      const nums = nonNegativeInts((d[3] ?? '').split(/\s+/).filter(Boolean));
      if (!current || !nums || nums.length !== 5)
        return parseError('expected "-> ADDR:PORT Conns InPkts OutPkts InBytes OutBytes"', i + 1, line);
      current.rs.set(`${d[1]}:${d[2]}`, countersOf(nums));
      continue;
    }
    const head = parseHead(line);
    const nums = head ? nonNegativeInts(head.rest.split(/\s+/).filter(Boolean)) : undefined;
    if (!head || !nums || nums.length !== 5)
      return parseError('unrecognised line in ipvsadm --stats output', i + 1, line);
    current = { key: serviceKey(head), counters: countersOf(nums), rs: new Map() };
    out.set(current.key, { serviceKey: current.key, counters: current.counters, realServers: current.rs });
  }
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm --stats output');
  return ok(out);
}

/** Attach counters from a --stats read to the table; entries that appeared in between simply have none. */
export function mergeIpvsStats(table: IpvsTable, stats: ReadonlyMap<string, IpvsStatsEntry>): IpvsTable {
  return {
    ...table,
    services: table.services.map((svc) => {
      const entry = stats.get(svc.key);
      if (!entry) return svc;
      return {
        ...svc,
        counters: entry.counters,
        realServers: svc.realServers.map((rs) => {
          const c = entry.realServers.get(realServerKey(rs));
          return c ? { ...rs, counters: c } : rs;
        }),
      };
    }),
  };
}
