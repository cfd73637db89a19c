import { serviceKey } from './ipvs-list.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type {
  ForwardMethod,
  IpvsCounters,
  IpvsProtocol,
  IpvsRealServer,
  IpvsService,
  IpvsTable,
} from './ipvs-types.js';

/** Readable without root; addresses and ports in hex, no per-service counters. */
export const IPVS_PROC_FILE = '/proc/net/ip_vs';
export const IPVS_PROC_STATS_FILE = '/proc/net/ip_vs_stats';

const FORWARDS: readonly ForwardMethod[] = ['Masq', 'Route', 'Tunnel', 'Local'];

function hexAddr(text: string): { address: string; port: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:]+)\]:([0-9A-Fa-f]{4})$/.exec(text);
  if (v6) return { address: compressIpv6(v6[1]!), port: parseInt(v6[2]!, 16) };
  const v4 = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!v4) return undefined;
  const n = parseInt(v4[1]!, 16);
  return { address: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), port: parseInt(v4[2]!, 16) };
}

/** The kernel prints IPv6 as eight full groups; show it the way ipvsadm does. */
export function compressIpv6(full: string): string {
  const groups = full.split(':').map((g) => parseInt(g, 16).toString(16));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** Parse /proc/net/ip_vs. Persistence there is in kernel jiffies, so it is reported as a flag, not seconds. */
export function parseIpvsProc(text: string): ParseResult<IpvsTable> {
  const lines = text.split('\n');
  const header = /^IP Virtual Server version (\S+) \(size=(\d+)\)$/.exec(lines[0] ?? '');
  if (!header) return parseError('missing "IP Virtual Server version" header; not /proc/net/ip_vs', 1, lines[0] ?? '');
  const services: IpvsService[] = [];
  let current: (Omit<IpvsService, 'realServers'> & { realServers: IpvsRealServer[] }) | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (line === '' || line.startsWith('Prot ') || /^\s+-> RemoteAddress/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '->') {
      const addr = hexAddr(fields[1] ?? '');
      const forward = fields[2] as ForwardMethod;
      const nums = fields.slice(3).map((f) => (/^\d+$/.test(f) ? Number(f) : NaN));
      if (!current || !addr || !FORWARDS.includes(forward) || nums.length !== 3 || nums.some(Number.isNaN))
        return parseError('unrecognised real server line in /proc/net/ip_vs', i + 1, line);
      current.realServers.push({ ...addr, forward, weight: nums[0]!, activeConns: nums[1]!, inactiveConns: nums[2]! });
      continue;
    }
    const proto = fields[0] as IpvsProtocol;
    let head: { protocol: IpvsProtocol; address?: string; port?: number; fwmark?: number; ipv6: boolean } | undefined;
    let rest: string[];
    if (proto === 'FWM') {
      const mark = parseInt(fields[1] ?? '', 16);
      if (Number.isNaN(mark)) return parseError('bad fwmark in /proc/net/ip_vs', i + 1, line);
      const ipv6 = fields[2] === 'IPv6';
      head = { protocol: 'FWM', fwmark: mark, ipv6 };
      rest = fields.slice(ipv6 ? 3 : 2);
    } else if (proto === 'TCP' || proto === 'UDP' || proto === 'SCTP') {
      const addr = hexAddr(fields[1] ?? '');
      if (!addr) return parseError('bad address in /proc/net/ip_vs', i + 1, line);
      head = { protocol: proto, ...addr, ipv6: addr.address.includes(':') };
      rest = fields.slice(2);
    } else return parseError('unrecognised line in /proc/net/ip_vs', i + 1, line);
    const scheduler = rest[0];
    if (!scheduler) return parseError('missing scheduler in /proc/net/ip_vs', i + 1, line);
    const flags: string[] = [];
    if (rest[1] === 'persistent')
      flags.push(`persistent ${rest[2]} jiffies`, ...(rest[3] && rest[3] !== 'FFFFFFFF' ? [`mask ${rest[3]}`] : []));
    current = { key: serviceKey(head), ...head, scheduler, flags, realServers: [] };
    services.push(current);
  }
  return ok({ version: header[1]!, tableSize: Number(header[2]), services });
}

/** Parse /proc/net/ip_vs_stats: director-wide totals (hex), the only counters /proc gives. */
export function parseIpvsProcStats(text: string): ParseResult<IpvsCounters> {
  const rows = text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 5 && f.every((x) => /^[0-9A-Fa-f]+$/.test(x)));
  const totals = rows[0];
  if (!totals) return parseError('no counter row in /proc/net/ip_vs_stats');
  const n = totals.map((x) => parseInt(x, 16));
  return ok({ conns: n[0]!, inPkts: n[1]!, outPkts: n[2]!, inBytes: n[3]!, outBytes: n[4]! });
}
