import { MAX_FIELDS, MAX_LINE, isCounter, isFwmark, isIpAddress, isPort, isWeight } from './field-ranges.js';
import {
  digitsEnd,
  digitsValue,
  isIpv4At,
  isSpace,
  newAddressScan,
  scanAddressPort,
  skipSpace,
  skipToken,
  trimmedEnd,
  wordAt,
  type AddressScan,
} from './ipvs-line-scan.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import {
  realServerKey,
  type ForwardMethod,
  type IpvsCounters,
  type IpvsProtocol,
  type IpvsRealServer,
  type IpvsService,
  type IpvsTable,
} from './ipvs-types.js';

/** argv for the table with weights and connection counts, and for exact cumulative counters. */
export const IPVS_LIST_ARGV = ['ipvsadm', '-L', '-n', '--exact'] as const;
export const IPVS_STATS_ARGV = ['ipvsadm', '-L', '-n', '--stats', '--exact'] as const;

const FORWARDS: readonly ForwardMethod[] = ['Masq', 'Route', 'Tunnel', 'Local'];
const HEADER_PREFIX = 'IP Virtual Server version ';
const SCHEDULER = /^[a-z][a-z0-9_-]*$/;
/** Counters are u64: at most 20 digits. Weights, conns and marks fit in 10. */
const COUNTER_DIGITS = 20;

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

interface Head {
  protocol: IpvsProtocol;
  address?: string;
  port?: number;
  fwmark?: number;
  ipv6: boolean;
  /** Where the text after the address (or mark) starts. */
  restStart: number;
}

/** Outcome of one line when it is not simply accepted: a message for parseError. */
type LineFault = string | undefined;

const addressOk = (text: string, a: AddressScan): boolean =>
  text.charCodeAt(a.rawStart) === 91
    ? isIpAddress(text.slice(a.addressStart, a.addressEnd))
    : isIpv4At(text, a.addressStart, a.addressEnd);

/** The service at the start of a line: `TCP  ADDR:PORT …`, `FWM  MARK [IPv6] …`; a fault text when out of range. */
function scanHead(text: string, i: number, end: number, scan: AddressScan): Head | LineFault {
  let protocol: IpvsProtocol;
  if (wordAt(text, i, end, 'TCP') || wordAt(text, i, end, 'UDP')) protocol = text.startsWith('T', i) ? 'TCP' : 'UDP';
  else if (wordAt(text, i, end, 'SCTP')) protocol = 'SCTP';
  else if (wordAt(text, i, end, 'FWM')) protocol = 'FWM';
  else return undefined;
  const j = skipSpace(text, i + protocol.length, end);
  if (j === i + protocol.length) return undefined;
  if (protocol === 'FWM') {
    const markEnd = digitsEnd(text, j, end);
    if (markEnd === j || (markEnd < end && !isSpace(text.charCodeAt(markEnd)))) return undefined;
    const fwmark = digitsValue(text, j, markEnd, 10);
    if (!isFwmark(fwmark)) return 'fwmark out of range (0..4294967295)';
    let rest = skipSpace(text, markEnd, end);
    const ipv6 = rest > markEnd && wordAt(text, rest, end, 'IPv6');
    if (ipv6) rest = skipSpace(text, rest + 4, end);
    return { protocol, fwmark, ipv6, restStart: rest };
  }
  const portEnd = scanAddressPort(text, j, end, scan);
  if (portEnd < 0) return undefined;
  if (!addressOk(text, scan)) return 'service address is not an IP address';
  if (!isPort(scan.port)) return 'service port out of range (0..65535)';
  const address = text.slice(scan.addressStart, scan.addressEnd);
  return { protocol, address, port: scan.port, ipv6: address.includes(':'), restStart: skipSpace(text, portEnd, end) };
}

function tokensOf(text: string, i: number, end: number): string[] | undefined {
  const out: string[] = [];
  for (i = skipSpace(text, i, end); i < end; i = skipSpace(text, i, end)) {
    const j = skipToken(text, i, end);
    if (out.push(text.slice(i, j)) > MAX_FIELDS) return undefined;
    i = j;
  }
  return out;
}

type ServiceMeta = Pick<IpvsService, 'scheduler' | 'persistence' | 'persistenceMask' | 'flags'>;

function serviceMeta(tokens: string[]): ServiceMeta | LineFault {
  const scheduler = tokens[0];
  if (!scheduler || !SCHEDULER.test(scheduler)) return undefined;
  let persistence: number | undefined;
  let persistenceMask: string | undefined;
  const flags: string[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t === 'persistent' && next !== undefined && digitsEnd(next, 0, next.length) === next.length && next !== '') {
      persistence = digitsValue(next, 0, next.length, 10);
      if (!isFwmark(persistence)) return 'persistence timeout out of range';
      i++;
    } else if (t === 'mask' && next) {
      persistenceMask = next;
      i++;
    } else if ((t === 'pe' || t === 'conn_timeout' || t === 'conn-timeout') && next) {
      flags.push(`${t} ${next}`);
      i++;
    } else {
      const inner = t.slice(t.startsWith('(') ? 1 : 0, t.endsWith(')') ? -1 : undefined);
      for (const f of inner.split(',')) if (f) flags.push(f);
    }
  }
  return {
    scheduler,
    ...(persistence === undefined ? {} : { persistence }),
    ...(persistenceMask === undefined ? {} : { persistenceMask }),
    flags,
  };
}

/**
 * Up to `count` whole numbers separated by spaces from i to end, into `into`; the count read, or -1 when a field is
 * not a number (or there are more fields than `count`).
 */
function numbersInto(text: string, i: number, end: number, into: number[], count: number): number {
  let n = 0;
  for (i = skipSpace(text, i, end); i < end; i = skipSpace(text, i, end)) {
    const j = skipToken(text, i, end);
    const v = n < count ? digitsValue(text, i, j, COUNTER_DIGITS) : -1;
    if (v < 0) return -1;
    into[n++] = v;
    i = j;
  }
  return n;
}

function forwardAt(text: string, i: number, j: number): ForwardMethod | undefined {
  for (const f of FORWARDS) if (j - i === f.length && text.startsWith(f, i)) return f;
  return undefined;
}

/** `IP Virtual Server version V (size=N)` exactly; [version, size] or undefined. */
function headerOf(text: string, i: number, end: number): [string, number] | undefined {
  if (!text.startsWith(HEADER_PREFIX, i)) return undefined;
  const v = i + HEADER_PREFIX.length;
  const vEnd = skipToken(text, v, end);
  if (vEnd === v || !text.startsWith(' (size=', vEnd)) return undefined;
  const s = vEnd + 7;
  const sEnd = digitsEnd(text, s, end);
  if (sEnd === s || sEnd !== end - 1 || text.charCodeAt(sEnd) !== 41 /* ) */) return undefined;
  const size = digitsValue(text, s, sEnd, 10);
  return size < 0 || size > 0xffffffff ? undefined : [text.slice(v, vEnd), size];
}

/** The column heading lines: `Prot LocalAddress:Port …` and `  -> RemoteAddress:Port …`. */
function isColumnHeading(text: string, i: number, end: number): boolean {
  if (text.startsWith('Prot LocalAddress:Port', i)) return true;
  if (!isSpace(text.charCodeAt(i))) return false;
  return text.startsWith('-> RemoteAddress:Port', skipSpace(text, i, end));
}

/** A real server line's `->` and address; position after the port, or -1 when the line is not one. */
function scanDest(text: string, i: number, end: number, scan: AddressScan): number {
  if (!isSpace(text.charCodeAt(i))) return -1;
  const a = skipSpace(text, i, end);
  if (text.charCodeAt(a) !== 45 || text.charCodeAt(a + 1) !== 62 || !isSpace(text.charCodeAt(a + 2))) return -1;
  return scanAddressPort(text, skipSpace(text, a + 2, end), end, scan);
}

/**
 * Walk the output line by line with indexes. `onLine` gets the line's bounds (trailing space cut) and returns a
 * fault message to stop with, or undefined to go on. Over-long lines stop the walk before anything scans them.
 */
function walkLines(
  text: string,
  onLine: (start: number, end: number, lineNo: number) => LineFault,
): { message: string; line: number; text: string } | undefined {
  let lineNo = 0;
  for (let start = 0; start <= text.length;) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    lineNo++;
    if (nl - start > MAX_LINE)
      return { message: `line longer than ${MAX_LINE} characters`, line: lineNo, text: text.slice(start, start + 200) };
    const end = trimmedEnd(text, start, nl);
    const fault = end > start ? onLine(start, end, lineNo) : undefined;
    if (fault !== undefined) return { message: fault, line: lineNo, text: text.slice(start, end) };
    start = nl + 1;
  }
  return undefined;
}

/** Parse `ipvsadm -L -n --exact`: services with scheduler, persistence, flags; real servers with weights and connections. */
export function parseIpvsList(text: string): ParseResult<IpvsTable> {
  let version: string | undefined;
  let tableSize: number | undefined;
  let sawHeader = false;
  const services: IpvsService[] = [];
  let dests: IpvsRealServer[] | undefined;
  const scan = newAddressScan();
  const nums = [0, 0, 0];
  const unrecognised = 'unrecognised line in ipvsadm -L -n output';
  const fault = walkLines(text, (i, end) => {
    const first = text.charCodeAt(i);
    if (first === 73 /* I */) {
      const h = headerOf(text, i, end);
      if (h) {
        [version, tableSize] = h;
        sawHeader = true;
        return undefined;
      }
    }
    if (isColumnHeading(text, i, end)) return undefined;
    const portEnd = scanDest(text, i, end, scan);
    if (portEnd >= 0) {
      if (!dests) return 'real server line before any service';
      const f = skipSpace(text, portEnd, end);
      const fEnd = skipToken(text, f, end);
      const forward = forwardAt(text, f, fEnd);
      if (!forward || numbersInto(text, fEnd, end, nums, 3) !== 3)
        return 'expected "-> ADDR:PORT Forward Weight ActiveConn InActConn"';
      if (!addressOk(text, scan)) return 'real server address is not an IP address';
      if (!isPort(scan.port)) return 'real server port out of range (0..65535)';
      if (!isWeight(nums[0]!)) return 'weight out of range (0..65535)';
      if (!isCounter(nums[1]!) || !isCounter(nums[2]!)) return 'connection count out of range';
      dests.push({
        address: text.slice(scan.addressStart, scan.addressEnd),
        port: scan.port,
        forward,
        weight: nums[0]!,
        activeConns: nums[1]!,
        inactiveConns: nums[2]!,
      });
      return undefined;
    }
    const head = scanHead(text, i, end, scan);
    if (typeof head !== 'object') return head ?? unrecognised;
    const tokens = tokensOf(text, head.restStart, end);
    if (!tokens) return `more than ${MAX_FIELDS} fields`;
    const meta = serviceMeta(tokens);
    if (typeof meta !== 'object') return meta ?? unrecognised;
    dests = [];
    services.push({
      key: serviceKey(head),
      protocol: head.protocol,
      ...(head.address === undefined ? {} : { address: head.address, port: head.port! }),
      ...(head.fwmark === undefined ? {} : { fwmark: head.fwmark }),
      ipv6: head.ipv6,
      ...meta,
      realServers: dests,
    });
    return undefined;
  });
  if (fault) return parseError(fault.message, fault.line, fault.text);
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm -L -n output');
  return ok({ ...(version ? { version } : {}), ...(tableSize ? { tableSize } : {}), services });
}

export interface IpvsStatsEntry {
  readonly serviceKey: string;
  readonly counters: IpvsCounters;
  readonly realServers: ReadonlyMap<string, IpvsCounters>;
}

const countersOf = (n: readonly number[]): IpvsCounters => ({
  conns: n[0]!,
  inPkts: n[1]!,
  outPkts: n[2]!,
  inBytes: n[3]!,
  outBytes: n[4]!,
});

/** Parse `ipvsadm -L -n --stats --exact`: cumulative counters per service and per real server. */
export function parseIpvsStats(text: string): ParseResult<ReadonlyMap<string, IpvsStatsEntry>> {
  const out = new Map<string, IpvsStatsEntry>();
  let rs: Map<string, IpvsCounters> | undefined;
  let sawHeader = false;
  const scan = newAddressScan();
  const nums = [0, 0, 0, 0, 0];
  const fault = walkLines(text, (i, end) => {
    if (text.charCodeAt(i) === 73 /* I */ && headerOf(text, i, end)) {
      sawHeader = true;
      return undefined;
    }
    if (isColumnHeading(text, i, end)) return undefined;
    const portEnd = scanDest(text, i, end, scan);
    if (portEnd >= 0) {
      if (!rs || numbersInto(text, portEnd, end, nums, 5) !== 5)
        return 'expected "-> ADDR:PORT Conns InPkts OutPkts InBytes OutBytes"';
      if (!nums.every(isCounter)) return 'counter out of range';
      if (!addressOk(text, scan)) return 'real server address is not an IP address';
      if (!isPort(scan.port)) return 'real server port out of range (0..65535)';
      rs.set(text.slice(scan.rawStart, portEnd), countersOf(nums));
      return undefined;
    }
    const head = scanHead(text, i, end, scan);
    if (typeof head === 'string') return head;
    if (!head || numbersInto(text, head.restStart, end, nums, 5) !== 5)
      return 'unrecognised line in ipvsadm --stats output';
    if (!nums.every(isCounter)) return 'counter out of range';
    const key = serviceKey(head);
    rs = new Map();
    out.set(key, { serviceKey: key, counters: countersOf(nums), realServers: rs });
    return undefined;
  });
  if (fault) return parseError(fault.message, fault.line, fault.text);
  if (!sawHeader) return parseError('missing "IP Virtual Server version" header; not ipvsadm --stats output');
  return ok(out);
}

/** Does a --stats key (`ADDR:PORT`, `[V6]:PORT`) name this real server? Compared in place, no key string built. */
function sameRealServer(key: string, rs: IpvsRealServer): boolean {
  const a = rs.address;
  if (a.includes(':')) return key === realServerKey(rs);
  return (
    key.length > a.length + 1 &&
    key.charCodeAt(a.length) === 58 &&
    key.startsWith(a) &&
    (key.charCodeAt(a.length + 1) !== 48 || key.length === a.length + 2) &&
    digitsValue(key, a.length + 1, key.length, 6) === rs.port
  );
}

const withCounters = (rs: IpvsRealServer, counters: IpvsCounters): IpvsRealServer => ({
  address: rs.address,
  port: rs.port,
  forward: rs.forward,
  weight: rs.weight,
  activeConns: rs.activeConns,
  inactiveConns: rs.inactiveConns,
  counters,
});

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
        return c ? withCounters(rs, c) : rs;
      });
      return { ...svc, counters: entry.counters, realServers };
    }),
  };
}
