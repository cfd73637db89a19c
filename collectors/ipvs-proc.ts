import { serviceKey } from './ipvs-list.js';
import { MAX_FIELDS, MAX_LINE, decimalUint, fieldsOf, hexUint, isCounter, isWeight } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { ForwardMethod, IpvsCounters, IpvsRealServer, IpvsService, IpvsTable } from './ipvs-types.js';

/** Readable without root; addresses and ports in hex, no per-service counters. */
export const IPVS_PROC_FILE = '/proc/net/ip_vs';
export const IPVS_PROC_STATS_FILE = '/proc/net/ip_vs_stats';

const FORWARDS: readonly ForwardMethod[] = ['Masq', 'Route', 'Tunnel', 'Local'];

/** `AC103C16:0050` or `[2001:0db8:…:0001]:0050`: the kernel's fixed-width hex address and port. */
function hexAddr(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  const port = colon > 0 ? hexUint(text.slice(colon + 1), 4) : undefined;
  if (port === undefined || text.length - colon !== 5) return undefined;
  if (text.startsWith('[')) {
    if (text.charCodeAt(colon - 1) !== 93 /* ] */) return undefined;
    const groups = text.slice(1, colon - 1).split(':');
    if (groups.length !== 8 || groups.some((g) => hexUint(g, 4) === undefined)) return undefined;
    return { address: compressIpv6(groups.join(':')), port };
  }
  const n = colon === 8 ? hexUint(text.slice(0, 8), 8) : undefined;
  if (n === undefined) return undefined;
  return { address: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), port };
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

const HEADER = /^IP Virtual Server version (\S+) \(size=(\d{1,10})\)$/;

/** A real server line's fields after `->`, added to `current`; a fault when out of range. */
function realServerOf(fields: readonly string[]): IpvsRealServer | string {
  const addr = hexAddr(fields[1] ?? '');
  const forward = FORWARDS.find((f) => f === fields[2]);
  const nums = fields.slice(3).map((f) => decimalUint(f) ?? -1);
  if (!addr || !forward || nums.length !== 3 || nums.some((n) => n < 0))
    return 'unrecognised real server line in /proc/net/ip_vs';
  if (!isWeight(nums[0]!)) return 'weight out of range (0..65535) in /proc/net/ip_vs';
  if (!isCounter(nums[1]!) || !isCounter(nums[2]!)) return 'connection count out of range in /proc/net/ip_vs';
  return { ...addr, forward, weight: nums[0]!, activeConns: nums[1]!, inactiveConns: nums[2]! };
}

type ServiceHead = Pick<IpvsService, 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6'>;

function serviceOf(fields: readonly string[]): { head: ServiceHead; rest: readonly string[] } | string {
  const proto = fields[0];
  if (proto === 'FWM') {
    const mark = hexUint(fields[1] ?? '', 8);
    if (mark === undefined) return 'bad fwmark in /proc/net/ip_vs';
    // The kernel prints no address family for a fwmark service: it is read from its real servers (fwmarkFamilies).
    return { head: { protocol: 'FWM', fwmark: mark, ipv6: false }, rest: fields.slice(2) };
  }
  if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') return 'unrecognised line in /proc/net/ip_vs';
  const addr = hexAddr(fields[1] ?? '');
  if (!addr) return 'bad address in /proc/net/ip_vs';
  return { head: { protocol: proto, ...addr, ipv6: addr.address.includes(':') }, rest: fields.slice(2) };
}

/** Parse /proc/net/ip_vs. Persistence there is in kernel jiffies, so it is reported as a flag, not seconds. */
export function parseIpvsProc(text: string): ParseResult<IpvsTable> {
  const lines = text.split('\n');
  const first = (lines[0] ?? '').slice(0, MAX_LINE);
  const header = HEADER.exec(first);
  if (!header || Number(header[2]) > 0xffffffff)
    return parseError('missing "IP Virtual Server version" header; not /proc/net/ip_vs', 1, first);
  const services: IpvsService[] = [];
  let current: (Omit<IpvsService, 'realServers'> & { realServers: IpvsRealServer[] }) | undefined;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.length > MAX_LINE) return parseError(`line longer than ${MAX_LINE} characters`, i + 1, raw);
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('Prot ') || line.trimStart().startsWith('-> RemoteAddress')) continue;
    const fields = fieldsOf(line);
    if (!fields) return parseError(`more than ${MAX_FIELDS} fields`, i + 1, line);
    if (fields[0] === '->') {
      const rs = current ? realServerOf(fields) : 'real server line before any service in /proc/net/ip_vs';
      if (typeof rs === 'string') return parseError(rs, i + 1, line);
      current!.realServers.push(rs);
      continue;
    }
    const svc = serviceOf(fields);
    if (typeof svc === 'string') return parseError(svc, i + 1, line);
    const [scheduler, persistent, jiffies, mask] = svc.rest;
    if (!scheduler || !/^[a-z][a-z0-9_-]*$/.test(scheduler))
      return parseError('missing scheduler in /proc/net/ip_vs', i + 1, line);
    const flags: string[] = [];
    if (persistent === 'persistent') {
      if (decimalUint(jiffies ?? '', 10) === undefined || (mask !== undefined && hexUint(mask, 32) === undefined))
        return parseError('bad persistence in /proc/net/ip_vs', i + 1, line);
      flags.push(`persistent ${jiffies} jiffies`, ...(mask && mask !== 'FFFFFFFF' ? [`mask ${mask}`] : []));
    }
    current = { key: serviceKey(svc.head), ...svc.head, scheduler, flags, realServers: [] };
    services.push(current);
  }
  return ok({ version: header[1]!, tableSize: Number(header[2]), services: services.map(fwmarkFamily) });
}

/**
 * A fwmark service whose real servers are all IPv6 is the IPv6 service of that mark (`FWM 77 IPv6` in ipvsadm): the
 * kernel's line says only `FWM  0000004D`. One without real servers cannot be told apart and stays IPv4.
 */
function fwmarkFamily(s: IpvsService): IpvsService {
  if (s.protocol !== 'FWM' || s.realServers.length === 0 || !s.realServers.every((rs) => rs.address.includes(':')))
    return s;
  const head = { protocol: s.protocol, fwmark: s.fwmark, ipv6: true } as const;
  return { ...s, ...head, key: serviceKey(head) };
}

/** Parse /proc/net/ip_vs_stats: director-wide totals (hex), the only counters /proc gives. */
export function parseIpvsProcStats(text: string): ParseResult<IpvsCounters> {
  for (const line of text.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const f = fieldsOf(line, 5);
    if (!f || f.length !== 5) continue;
    const n = f.map((x) => hexUint(x, 16));
    if (n.some((x) => x === undefined)) continue;
    return ok({ conns: n[0]!, inPkts: n[1]!, outPkts: n[2]!, inBytes: n[3]!, outBytes: n[4]! });
  }
  return parseError('no counter row in /proc/net/ip_vs_stats');
}
