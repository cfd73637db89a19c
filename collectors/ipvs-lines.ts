import { MAX_LINE, isFwmark, isIpAddress, isPort } from './field-ranges.js';
import {
  charCodes,
  digitsEnd,
  digitsValue,
  isSpace,
  scanAddressPort,
  skipSpace,
  skipToken,
  startsWith,
  trimmedEnd,
  wordAt,
  type AddressScan,
} from './ipvs-line-scan.js';
import type { ForwardMethod, IpvsCounters, IpvsProtocol, IpvsService } from './ipvs-types.js';

/*
 * The line grammar of `ipvsadm -L -n --exact` and `ipvsadm -L -n --stats --exact`, read with indexes into the char
 * codes of the whole output: a cursor steps from line to line, and reading a line fills one reused scratch record
 * instead of building strings or arrays, so a parser allocates only what it keeps (taken from the text by index).
 * This file holds what both outputs share (the cursor, the header, headings, a real server's address, a service's
 * head); ipvs-list-line.ts and ipvs-stats-line.ts read the rest of each output's lines.
 */

/** What a line is: `fault` when it does not fit (the scratch record says why). */
export type LineKind = 'header' | 'heading' | 'service' | 'dest' | 'fault' | 'end';

export type ServiceMeta = Pick<IpvsService, 'scheduler' | 'persistence' | 'persistenceMask' | 'flags'>;

/** What the last line read held. */
export interface LineScan extends AddressScan {
  fault: string;
  /** The header's version and table size. */
  version: string;
  tableSize: number;
  /** A service line's head: the address and port are in the AddressScan fields. */
  protocol: IpvsProtocol;
  fwmark: number;
  ipv6: boolean;
  /** A service line of the list: scheduler, persistence, flags. */
  meta: ServiceMeta | undefined;
  /** A real-server line of the list. */
  forward: ForwardMethod;
  /** The list's weight, active and inactive connections; the counters of --stats. */
  readonly nums: number[];
}

/** A walk over one output: the current line's bounds (trailing space cut) and 1-based number. */
export interface Lines {
  readonly text: string;
  readonly codes: Uint8Array;
  next: number;
  start: number;
  end: number;
  lineNo: number;
}

export const linesOf = (text: string): Lines => ({
  text,
  codes: charCodes(text),
  next: 0,
  start: 0,
  end: 0,
  lineNo: 0,
});

/** One literal with every field, so all of them live inside the object: the walk writes several per line. */
export const newLineScan = (): LineScan => ({
  rawStart: 0,
  addressStart: 0,
  addressEnd: 0,
  ipv4: -1,
  colon: false,
  portStart: 0,
  portEnd: 0,
  port: -1,
  fault: '',
  version: '',
  tableSize: 0,
  protocol: 'TCP',
  fwmark: 0,
  ipv6: false,
  meta: undefined,
  forward: 'Masq',
  nums: [0, 0, 0, 0, 0],
});

/**
 * Step to the next line with text. An over-long line is a fault before anything scans it; its first 200 characters
 * stand as the line's text.
 */
function nextLine(c: Lines, s: LineScan): 'line' | 'end' | 'fault' {
  const b = c.codes;
  for (let start = c.next; start <= b.length; start = c.next) {
    let nl = b.indexOf(10 /* \n */, start);
    if (nl < 0) nl = b.length;
    c.lineNo++;
    c.start = start;
    c.next = nl + 1;
    if (nl - start > MAX_LINE) {
      c.end = start + 200;
      s.fault = `line longer than ${MAX_LINE} characters`;
      return 'fault';
    }
    c.end = trimmedEnd(b, start, nl);
    if (c.end > start) return 'line';
  }
  return 'end';
}

/** Mark the line read as a fault, with why. */
export const lineFault = (s: LineScan, message: string): 'fault' => {
  s.fault = message;
  return 'fault';
};

export const countersOf = (n: readonly number[]): IpvsCounters => ({
  conns: n[0]!,
  inPkts: n[1]!,
  outPkts: n[2]!,
  inBytes: n[3]!,
  outBytes: n[4]!,
});

const HEADER_PREFIX = 'IP Virtual Server version ';

/** Step to the next line with text: what it is, as far as it is the same in both outputs; `other` for the rest. */
export function nextShape(c: Lines, s: LineScan): Exclude<LineKind, 'service'> | 'other' {
  const at = nextLine(c, s);
  return at === 'line' ? (lineShape(c, s) ?? 'other') : at;
}

/**
 * The header `IP Virtual Server version V (size=N)` exactly, a column heading, or a real server line's `->` and
 * ADDR:PORT (into s, with s.portEnd); undefined for any other line.
 */
function lineShape(c: Lines, s: LineScan): 'header' | 'heading' | 'dest' | undefined {
  const { codes: b, start: i, end } = c;
  const first = b[i]!;
  if (isSpace(first)) {
    const a = skipSpace(b, i, end);
    if (b[a] !== 45 || b[a + 1] !== 62 /* -> */) return undefined;
    if (b[a + 2] === 32 && startsWith(b, a + 3, 'RemoteAddress:Port')) return 'heading';
    if (!isSpace(b[a + 2]!)) return undefined;
    s.portEnd = scanAddressPort(b, skipSpace(b, a + 2, end), end, s);
    return s.portEnd >= 0 ? 'dest' : undefined;
  }
  if (first === 80 /* P */) return startsWith(b, i, 'Prot LocalAddress:Port') ? 'heading' : undefined;
  if (first !== 73 /* I */ || !startsWith(b, i, HEADER_PREFIX)) return undefined;
  const v = i + HEADER_PREFIX.length;
  const vEnd = skipToken(b, v, end);
  if (vEnd === v || !startsWith(b, vEnd, ' (size=')) return undefined;
  const sizeStart = vEnd + 7;
  const sizeEnd = digitsEnd(b, sizeStart, end);
  if (sizeEnd === sizeStart || sizeEnd !== end - 1 || b[sizeEnd] !== 41 /* ) */) return undefined;
  const size = digitsValue(b, sizeStart, sizeEnd, 10);
  if (size < 0 || size > 0xffffffff) return undefined;
  s.version = c.text.slice(v, vEnd);
  s.tableSize = size;
  return 'header';
}

/** A scanned address is an IP address: checked as text when bracketed (IPv6), by the scan's IPv4 value otherwise. */
export const addressOk = (c: Lines, a: AddressScan): boolean =>
  c.codes[a.rawStart] === 91 /* [ */ ? isIpAddress(c.text.slice(a.addressStart, a.addressEnd)) : a.ipv4 >= 0;

/** scanHead: the line is not a service line. */
export const NOT_A_SERVICE = -1;
/** scanHead: a service line with a value out of range (s.fault says which). */
export const HEAD_FAULT = -2;

/**
 * The service at the start of the line: `TCP  ADDR:PORT …`, `FWM  MARK [IPv6] …`, into s; where the text after the
 * address (or mark) starts, or NOT_A_SERVICE, or HEAD_FAULT.
 */
export function scanHead(c: Lines, s: LineScan): number {
  const { codes: b, start: i, end } = c;
  let protocol: IpvsProtocol;
  if (wordAt(b, i, end, 'TCP') || wordAt(b, i, end, 'UDP')) protocol = b[i] === 84 /* T */ ? 'TCP' : 'UDP';
  else if (wordAt(b, i, end, 'SCTP')) protocol = 'SCTP';
  else if (wordAt(b, i, end, 'FWM')) protocol = 'FWM';
  else return NOT_A_SERVICE;
  const j = skipSpace(b, i + protocol.length, end);
  if (j === i + protocol.length) return NOT_A_SERVICE;
  s.protocol = protocol;
  if (protocol === 'FWM') {
    const markEnd = digitsEnd(b, j, end);
    if (markEnd === j || (markEnd < end && !isSpace(b[markEnd]!))) return NOT_A_SERVICE;
    s.fwmark = digitsValue(b, j, markEnd, 10);
    if (!isFwmark(s.fwmark)) return headFault(s, 'fwmark out of range (0..4294967295)');
    let rest = skipSpace(b, markEnd, end);
    s.ipv6 = rest > markEnd && wordAt(b, rest, end, 'IPv6');
    if (s.ipv6) rest = skipSpace(b, rest + 4, end);
    return rest;
  }
  const portEnd = scanAddressPort(b, j, end, s);
  if (portEnd < 0) return NOT_A_SERVICE;
  if (!addressOk(c, s)) return headFault(s, 'service address is not an IP address');
  if (!isPort(s.port)) return headFault(s, 'service port out of range (0..65535)');
  s.ipv6 = s.colon;
  return skipSpace(b, portEnd, end);
}

function headFault(s: LineScan, message: string): number {
  s.fault = message;
  return HEAD_FAULT;
}
