import { digitsEnd, digitsValue, scanAddressPort, skipSpace, skipToken, type AddressScan } from './ipvs-line-scan.js';

/**
 * One line of `ipvsadm -L -n -c`, read from bytes into a reused scratch record (no strings, no arrays per line).
 * ipvsadm's print_conn writes `"%-3s %-6s %-11s %-18s %-18s %s\n"`: protocol, expiry as `%02d:%02d` minutes and
 * seconds (minutes are not capped: a day is `1440:00`), state, then source, virtual and destination as `ADDR:PORT`,
 * an IPv6 address in brackets. Columns only pad, so fields are whatever sits between runs of spaces; a long IPv6
 * address pushes the next field right.
 */

/** Protocol names the kernel gives (ip_vs_proto_name): `IP` is a fwmark service's persistence template. */
export const CONN_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'IP', 'ICMP', 'ICMPv6'] as const;

/**
 * State names the kernel prints: TCP's (ip_vs_proto_tcp.c), SCTP's, UDP's single `UDP`, and a template's `NONE` or
 * (kernels with template states) `ASSURED`. ESTABLISHED first: most lines are.
 */
export const CONN_STATES = [
  'ESTABLISHED',
  'NONE',
  'ASSURED',
  'UDP',
  'SYN_RECV',
  'SYN_SENT',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
  'INIT1',
  'INIT',
  'COOKIE_SENT',
  'COOKIE_REPLIED',
  'COOKIE_WAIT',
  'COOKIE',
  'COOKIE_ECHOED',
  'SHUTDOWN_SENT',
  'SHUTDOWN_RECEIVED',
  'SHUTDOWN_ACK_SENT',
  'REJECTED',
  'CLOSED',
] as const;

/** What the last line read held. Spans are indexes into the line's bytes. */
export interface ConnLine extends AddressScan {
  fault: string;
  /** Index into CONN_PROTOCOLS. */
  protocol: number;
  /** Seconds left, as printed (the kernel rounds down to the second). */
  expires: number;
  /** Index into CONN_STATES, or -1 for a name outside it (then stateStart..stateEnd holds it). */
  state: number;
  stateStart: number;
  stateEnd: number;
  /** The client address's dotted-quad value, or -1 for IPv6 (then clientStart..clientEnd holds it). */
  clientIpv4: number;
  clientStart: number;
  clientEnd: number;
  clientPort: number;
  /** The virtual and destination fields whole (`ADDR:PORT`), and their addresses and ports. */
  virtualStart: number;
  virtualEnd: number;
  virtualAddressStart: number;
  virtualAddressEnd: number;
  virtualIpv4: number;
  virtualPort: number;
  destStart: number;
  destEnd: number;
  destAddressStart: number;
  destAddressEnd: number;
  destPort: number;
  /** A hash of protocol, virtual and destination: the (service, real server) pair the line belongs to. */
  groupHash: number;
}

export const newConnLine = (): ConnLine => ({
  rawStart: 0,
  addressStart: 0,
  addressEnd: 0,
  ipv4: -1,
  colon: false,
  portStart: 0,
  portEnd: 0,
  port: -1,
  fault: '',
  protocol: 0,
  expires: 0,
  state: 0,
  stateStart: 0,
  stateEnd: 0,
  clientIpv4: -1,
  clientStart: 0,
  clientEnd: 0,
  clientPort: 0,
  virtualStart: 0,
  virtualEnd: 0,
  virtualAddressStart: 0,
  virtualAddressEnd: 0,
  virtualIpv4: -1,
  virtualPort: 0,
  destStart: 0,
  destEnd: 0,
  destAddressStart: 0,
  destAddressEnd: 0,
  destPort: 0,
  groupHash: 0,
});

/** Index of the word b[i..j) in `words`, or -1. */
export function wordIndex(b: Uint8Array, i: number, j: number, words: readonly string[]): number {
  const n = j - i;
  outer: for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word.length !== n) continue;
    for (let k = 0; k < n; k++) if (b[i + k] !== word.charCodeAt(k)) continue outer;
    return w;
  }
  return -1;
}

/** A state name the kernel could print that is not in CONN_STATES: up to 15 of A-Z, 0-9, `_`, `!`, `?`, `,`. */
function isStateName(b: Uint8Array, i: number, j: number): boolean {
  if (j - i < 1 || j - i > 15) return false;
  for (let k = i; k < j; k++) {
    const c = b[k]!;
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 33 || c === 63 || c === 44)) return false;
  }
  return true;
}

/** `MM:SS` from i (minutes two digits or more, seconds 00..59): seconds, or -1. */
function expiresAt(b: Uint8Array, i: number, j: number): number {
  const colon = digitsEnd(b, i, j);
  if (colon - i < 2 || colon + 3 !== j || b[colon] !== 58 /* : */) return -1;
  const minutes = digitsValue(b, i, colon, 9);
  const seconds = digitsValue(b, colon + 1, j, 2);
  return minutes < 0 || seconds < 0 || seconds > 59 ? -1 : minutes * 60 + seconds;
}

function hashSpan(h: number, b: Uint8Array, i: number, j: number): number {
  for (let k = i; k < j; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  return h;
}

const fault = (s: ConnLine, message: string): false => {
  s.fault = message;
  return false;
};

/** One `ADDR:PORT` field from i: its end, or -1 (the scan is in s's AddressScan fields). */
function addressField(b: Uint8Array, i: number, end: number, s: ConnLine): number {
  const j = scanAddressPort(b, i, end, s);
  if (j < 0 || s.port < 0 || s.port > 65535) return -1;
  // Brackets hold an IPv6 address (a colon inside); without them, a dotted quad.
  return (b[i] === 91 /* [ */ ? s.colon : s.ipv4 >= 0) ? j : -1;
}

/** Read the entry line b[start..end) (end without trailing space) into s; false with s.fault when it does not fit. */
export function readConnLine(b: Uint8Array, start: number, end: number, s: ConnLine): boolean {
  let i = skipSpace(b, start, end);
  let j = skipToken(b, i, end);
  s.protocol = wordIndex(b, i, j, CONN_PROTOCOLS);
  if (s.protocol < 0) return fault(s, 'unknown protocol');
  const protoStart = i;
  const protoEnd = j;
  i = skipSpace(b, j, end);
  j = skipToken(b, i, end);
  s.expires = expiresAt(b, i, j);
  if (s.expires < 0) return fault(s, 'expiry is not MM:SS');
  i = skipSpace(b, j, end);
  j = skipToken(b, i, end);
  s.state = wordIndex(b, i, j, CONN_STATES);
  if (s.state < 0 && !isStateName(b, i, j)) return fault(s, 'state is not a connection state name');
  s.stateStart = i;
  s.stateEnd = j;
  i = skipSpace(b, j, end);
  if ((j = addressField(b, i, end, s)) < 0) return fault(s, 'source is not ADDR:PORT');
  s.clientIpv4 = s.ipv4;
  s.clientStart = s.addressStart;
  s.clientEnd = s.addressEnd;
  s.clientPort = s.port;
  i = skipSpace(b, j, end);
  if ((j = addressField(b, i, end, s)) < 0) return fault(s, 'virtual is not ADDR:PORT');
  s.virtualStart = i;
  s.virtualEnd = j;
  s.virtualAddressStart = s.addressStart;
  s.virtualAddressEnd = s.addressEnd;
  s.virtualIpv4 = s.ipv4;
  s.virtualPort = s.port;
  i = skipSpace(b, j, end);
  if ((j = addressField(b, i, end, s)) < 0) return fault(s, 'destination is not ADDR:PORT');
  if (skipSpace(b, j, end) !== end) return fault(s, 'more fields than an entry has');
  s.destStart = i;
  s.destEnd = j;
  s.destAddressStart = s.addressStart;
  s.destAddressEnd = s.addressEnd;
  s.destPort = s.port;
  const h = hashSpan(hashSpan(0x811c9dc5, b, protoStart, protoEnd), b, s.virtualStart, s.virtualEnd);
  s.groupHash = hashSpan(Math.imul(h ^ 32, 0x01000193), b, s.destStart, s.destEnd) >>> 0;
  return true;
}
