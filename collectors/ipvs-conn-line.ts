import { addressPortAt, fieldEnd, keyedFieldEnd, keyHash, spaces, tailHash, WordTable } from './ipvs-conn-fields.js';

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

const PROTOCOL_TABLE = new WordTable(CONN_PROTOCOLS);
const STATE_TABLE = new WordTable(CONN_STATES);

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
  /** The virtual and destination fields as numbers when canonical (see keyedFieldEnd), else -1. */
  virtualKey: number;
  destKey: number;
  /** What keyedFieldEnd read last. */
  fieldKey: number;
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
  virtualKey: -1,
  destKey: -1,
  fieldKey: -1,
  groupHash: 0,
});

/** A state name the kernel could print that is not in CONN_STATES: up to 15 of A-Z, 0-9, `_`, `!`, `?`, `,`. */
function isStateName(b: Uint8Array, i: number, j: number): boolean {
  if (j - i < 1 || j - i > 15) return false;
  for (let k = i; k < j; k++) {
    const c = b[k]!;
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 33 || c === 63 || c === 44)) return false;
  }
  return true;
}

/** `MM:SS` b[i..j) (minutes two digits or more, at most 9, seconds 00..59): seconds, or -1. One walk over it. */
function expiresAt(b: Uint8Array, i: number, j: number): number {
  const colon = j - 3;
  if (colon - i < 2 || colon - i > 9 || b[colon] !== 58 /* : */) return -1;
  let minutes = 0;
  for (let k = i; k < colon; k++) {
    const d = b[k]! - 48;
    if (d < 0 || d > 9) return -1;
    minutes = minutes * 10 + d;
  }
  const tens = b[j - 2]! - 48;
  const ones = b[j - 1]! - 48;
  return tens < 0 || tens > 5 || ones < 0 || ones > 9 ? -1 : minutes * 60 + tens * 10 + ones;
}

const fault = (s: ConnLine, message: string): false => {
  s.fault = message;
  return false;
};

/**
 * Read the entry line b[start..end) (end without trailing space) into s, up to where the virtual field starts; false
 * with s.fault when it does not fit. The rest, the (service, real server) pair, is the same bytes on every line of a
 * pair: the caller looks those up (TailCache) and reads them with readPairFields only when they are new.
 */
export function readConnLine(b: Uint8Array, start: number, end: number, s: ConnLine): boolean {
  let i = spaces(b, start, end);
  let j = fieldEnd(b, i, end);
  s.protocol = PROTOCOL_TABLE.indexOf(b, i, j);
  if (s.protocol < 0) return fault(s, 'unknown protocol');
  j = fieldEnd(b, (i = spaces(b, j, end)), end);
  s.expires = expiresAt(b, i, j);
  if (s.expires < 0) return fault(s, 'expiry is not MM:SS');
  j = fieldEnd(b, (i = spaces(b, j, end)), end);
  s.state = STATE_TABLE.indexOf(b, i, j);
  if (s.state < 0 && !isStateName(b, i, j)) return fault(s, 'state is not a connection state name');
  s.stateStart = i;
  s.stateEnd = j;
  if ((j = addressPortAt(b, spaces(b, j, end), end, s.client)) < 0) return fault(s, 'source is not ADDR:PORT');
  s.virtualStart = spaces(b, j, end);
  return true;
}

/**
 * Cut out the virtual and destination fields of the line in s (from s.virtualStart to end) and hash them; false with
 * s.fault when they are not two fields. A line whose fields are byte for byte those of a known group needs no other
 * look, and readGroupFields checks them when they start a new group.
 */
export function readPairFields(b: Uint8Array, end: number, s: ConnLine): boolean {
  let i = s.virtualStart;
  let j = (s.virtualEnd = keyedFieldEnd(b, i, end, s));
  s.virtualKey = s.fieldKey;
  s.destStart = i = spaces(b, j, end);
  s.destEnd = j = keyedFieldEnd(b, i, end, s);
  s.destKey = s.fieldKey;
  if (i === j) return fault(s, 'fewer fields than an entry has');
  if (spaces(b, j, end) !== end) return fault(s, 'more fields than an entry has');
  s.groupHash =
    s.virtualKey >= 0 && s.destKey >= 0
      ? keyHash(s.protocol, s.virtualKey, s.destKey)
      : tailHash(tailHash(Math.imul(0x811c9dc5 ^ s.protocol, 0x01000193), b, s.virtualStart, s.virtualEnd), b, i, j);
  return true;
}

/** Check the virtual and destination fields of the line in s and fill in their parts; false with s.fault if bad. */
export function readGroupFields(b: Uint8Array, s: ConnLine): boolean {
  if (addressPortAt(b, s.virtualStart, s.virtualEnd, s.virtual) !== s.virtualEnd)
    return fault(s, 'virtual is not ADDR:PORT');
  if (addressPortAt(b, s.destStart, s.destEnd, s.dest) !== s.destEnd) return fault(s, 'destination is not ADDR:PORT');
  return true;
}
