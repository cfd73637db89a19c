import { digitsEnd, digitsValue } from './ipvs-line-scan.js';

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

/** An `ADDR:PORT` field: the address's span (without brackets), its dotted-quad value (-1 for IPv6), the port. */
export interface AddressPort {
  ipv4: number;
  start: number;
  end: number;
  port: number;
}

/** What the last line read held. Spans are indexes into the line's bytes. */
export interface ConnLine {
  fault: string;
  /** Index into CONN_PROTOCOLS. */
  protocol: number;
  /** Seconds left, as printed (the kernel rounds down to the second). */
  expires: number;
  /** Index into CONN_STATES, or -1 for a name outside it (then stateStart..stateEnd holds it). */
  state: number;
  stateStart: number;
  stateEnd: number;
  /** The source (client) field, read on every line. */
  readonly client: AddressPort;
  /** The virtual and destination fields whole; their parts only once readGroupFields has checked them. */
  virtualStart: number;
  virtualEnd: number;
  readonly virtual: AddressPort;
  destStart: number;
  destEnd: number;
  readonly dest: AddressPort;
  /** A hash of protocol, virtual and destination (an int32): the (service, real server) pair the line is of. */
  groupHash: number;
}

const addressPort = (): AddressPort => ({ ipv4: -1, start: 0, end: 0, port: 0 });

export const newConnLine = (): ConnLine => ({
  fault: '',
  protocol: 0,
  expires: 0,
  state: 0,
  stateStart: 0,
  stateEnd: 0,
  client: addressPort(),
  virtualStart: 0,
  virtualEnd: 0,
  virtual: addressPort(),
  destStart: 0,
  destEnd: 0,
  dest: addressPort(),
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

const fault = (s: ConnLine, message: string): false => {
  s.fault = message;
  return false;
};

/**
 * The end of the virtual or destination field from i. Anything up to a space or a control character: the field is
 * checked only when it starts a new group (readGroupFields); a known group's fields are compared byte for byte.
 */
function fieldEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i]! > 32) i++;
  return i;
}

/**
 * A hash of the field b[i..j) into h: its length and last 8 bytes (the last octets and the port, where the pairs of a
 * director differ). Pairs alike there share a bucket and are told apart by the byte compare.
 */
function tailHash(h: number, b: Uint8Array, i: number, j: number): number {
  for (let k = j - 8 > i ? j - 8 : i; k < j; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  return Math.imul(h ^ (j - i), 0x01000193);
}

/** Past the spaces from i. ipvsadm pads with spaces only: a tab or other control character starts a bad field. */
function spaces(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] === 32) i++;
  return i;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/**
 * An `ADDR:PORT` field from i: a dotted quad (each part 0..255, no leading zero) or a bracketed IPv6 address, `:`, a
 * port of at most 65535, then a space or the end. Fills `out`; returns the field's end, or -1.
 */
function addressPortAt(b: Uint8Array, i: number, end: number, out: AddressPort): number {
  let j = i;
  if (b[i] === 91 /* [ */) {
    let colon = false;
    for (j = i + 1; j < end && (isHex(b[j]!) || b[j] === 58 || b[j] === 46); j++) if (b[j] === 58) colon = true;
    if (!colon || b[j] !== 93 /* ] */) return -1;
    out.ipv4 = -1;
    out.start = i + 1;
    out.end = j++;
  } else {
    let value = 0;
    for (let part = 0; part < 4; part++) {
      if (part > 0 && b[j++] !== 46 /* . */) return -1;
      const first = j;
      let octet = 0;
      for (; j < end && b[j]! >= 48 && b[j]! <= 57 && j - first < 4; j++) octet = octet * 10 + b[j]! - 48;
      if (j === first || octet > 255 || (b[first] === 48 && j - first > 1)) return -1;
      value = value * 256 + octet;
    }
    out.ipv4 = value;
    out.start = i;
    out.end = j;
  }
  if (b[j++] !== 58 /* : */) return -1;
  const first = j;
  let port = 0;
  for (; j < end && b[j]! >= 48 && b[j]! <= 57 && j - first < 6; j++) port = port * 10 + b[j]! - 48;
  if (j === first || port > 65535 || (j < end && b[j] !== 32)) return -1;
  out.port = port;
  return j;
}

/**
 * Read the entry line b[start..end) (end without trailing space) into s; false with s.fault when it does not fit.
 * The virtual and destination fields are only cut out and hashed here: a line whose fields are byte for byte those of
 * a known group needs no other look, and readGroupFields checks them when they start a new group.
 */
export function readConnLine(b: Uint8Array, start: number, end: number, s: ConnLine): boolean {
  let i = spaces(b, start, end);
  let j = fieldEnd(b, i, end);
  s.protocol = wordIndex(b, i, j, CONN_PROTOCOLS);
  if (s.protocol < 0) return fault(s, 'unknown protocol');
  j = fieldEnd(b, (i = spaces(b, j, end)), end);
  s.expires = expiresAt(b, i, j);
  if (s.expires < 0) return fault(s, 'expiry is not MM:SS');
  j = fieldEnd(b, (i = spaces(b, j, end)), end);
  s.state = wordIndex(b, i, j, CONN_STATES);
  if (s.state < 0 && !isStateName(b, i, j)) return fault(s, 'state is not a connection state name');
  s.stateStart = i;
  s.stateEnd = j;
  if ((j = addressPortAt(b, spaces(b, j, end), end, s.client)) < 0) return fault(s, 'source is not ADDR:PORT');
  s.virtualStart = i = spaces(b, j, end);
  s.virtualEnd = j = fieldEnd(b, i, end);
  const h = tailHash(Math.imul(0x811c9dc5 ^ s.protocol, 0x01000193), b, i, j);
  s.destStart = i = spaces(b, j, end);
  s.destEnd = j = fieldEnd(b, i, end);
  if (i === j) return fault(s, 'fewer fields than an entry has');
  s.groupHash = tailHash(h, b, i, j);
  if (spaces(b, j, end) !== end) return fault(s, 'more fields than an entry has');
  return true;
}

/** Check the virtual and destination fields of the line in s and fill in their parts; false with s.fault if bad. */
export function readGroupFields(b: Uint8Array, s: ConnLine): boolean {
  if (addressPortAt(b, s.virtualStart, s.virtualEnd, s.virtual) !== s.virtualEnd)
    return fault(s, 'virtual is not ADDR:PORT');
  if (addressPortAt(b, s.destStart, s.destEnd, s.dest) !== s.destEnd) return fault(s, 'destination is not ADDR:PORT');
  return true;
}
