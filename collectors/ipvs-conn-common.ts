import { keyHash, spaces } from './ipvs-conn-fields.js';
import { CONN_STATES, type AddressPort, type ConnLine } from './ipvs-conn-line.js';

/**
 * The common line of `ipvsadm -L -n -c`, read at the columns print_conn puts it in. Its format
 * (`"%-3s %-6s %-11s %-18s %-18s %s\n"`) pads each field, so on a line whose protocol, expiry and state fit their
 * widths (nearly every line: `TCP`/`UDP`, `MM:SS` or `MMM:SS`, a state of at most 11 letters) the expiry starts at
 * byte 4, the state at 11 and the source at 23. Those fields are then read by position with a few word loads instead
 * of a walk over each byte; a line of any other shape is left to readConnLine, which reads it the same way.
 */

/** The protocol and its separating space as a little-endian word. */
const TCP_WORD = word('TCP ');
const UDP_WORD = word('UDP ');
/** Index of TCP and UDP in CONN_PROTOCOLS. */
const TCP = 0;
const UDP = 1;

/**
 * Known states of at most 11 letters as the 12 bytes print_conn writes at 11..22 (the name padded with spaces, then
 * the separator), three words each, in an open-addressing table keyed by a hash of the first two words.
 */
const STATE_SLOTS = 64;
const stateWords = new Int32Array(STATE_SLOTS * 3);
const stateIndex = new Int8Array(STATE_SLOTS).fill(-1);
CONN_STATES.forEach((name, index) => {
  if (name.length > 11) return;
  const text = name.padEnd(12);
  const [w1, w2, w3] = [word(text.slice(0, 4)), word(text.slice(4, 8)), word(text.slice(8, 12))];
  let k = stateHash(w1, w2);
  while (stateIndex[k] !== -1) k = (k + 1) & (STATE_SLOTS - 1);
  stateIndex[k] = index;
  stateWords.set([w1, w2, w3], k * 3);
});

function word(text: string): number {
  return new DataView(Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer).getInt32(0, true);
}

function stateHash(w1: number, w2: number): number {
  return Math.imul(w1 ^ Math.imul(w2, 0x9e3779b1), 0x85ebca6b) >>> 26;
}

/** The digit b[i] as a number, or a number above 9 for any other byte (an unsigned compare checks it). */
const digit = (b: Uint8Array, i: number): number => (b[i]! - 48) >>> 0;

/**
 * Read the line b[start..end) (end without trailing space; v a view of b's bytes) into s as readConnLine would
 * (protocol, expires, state, the client's ipv4 or span, its port, virtualStart) when it is of the common shape; false
 * for any other line, which readConnLine then reads whole. It takes only lines that readConnLine reads the same way:
 * a stricter grammar (fields at their columns, no leading zero in a port), never a looser one.
 */
export function readCommonLine(b: Uint8Array, v: DataView, start: number, end: number, s: ConnLine): boolean {
  const i = start;
  if (end - i < 32) return false;
  const w0 = v.getInt32(i, true);
  if (w0 === TCP_WORD) s.protocol = TCP;
  else if (w0 === UDP_WORD) s.protocol = UDP;
  else return false;

  // Expiry at 4: `MM:SS` and two spaces, or `MMM:SS` and one.
  const m1 = digit(b, i + 4);
  const m2 = digit(b, i + 5);
  if (m1 > 9 || m2 > 9) return false;
  let minutes = m1 * 10 + m2;
  let colon = i + 6;
  if (b[colon] !== 58 /* : */) {
    const m3 = digit(b, colon++);
    if (m3 > 9 || b[colon] !== 58) return false;
    minutes = minutes * 10 + m3;
  } else if (b[i + 9] !== 32) return false;
  const tens = digit(b, colon + 1);
  const ones = digit(b, colon + 2);
  if (tens > 5 || ones > 9 || b[i + 10] !== 32) return false;
  s.expires = minutes * 60 + tens * 10 + ones;

  // State at 11: its 12 bytes, padding and separator included, must be one of the known states' exactly.
  const w1 = v.getInt32(i + 11, true);
  const w2 = v.getInt32(i + 15, true);
  const w3 = v.getInt32(i + 19, true);
  let k = stateHash(w1, w2);
  for (; stateIndex[k] !== -1; k = (k + 1) & (STATE_SLOTS - 1))
    if (stateWords[k * 3] === w1 && stateWords[k * 3 + 1] === w2 && stateWords[k * 3 + 2] === w3) break;
  if (stateIndex[k] === -1) return false;
  s.state = stateIndex[k]!;

  const j = b[i + 23] === 91 /* [ */ ? readIpv6Port(b, i + 23, end, s.client) : readIpv4Port(b, i + 23, end, s.client);
  if (j < 0 || j === end || b[j] !== 32) return false;
  s.virtualStart = spaces(b, j, end);
  return true;
}

/**
 * The virtual and destination fields of the line in s (from s.virtualStart to end) when both are canonical IPv4
 * `A.B.C.D:PORT`, filled in as readPairFields and readGroupFields fill them for such fields (their spans, parts,
 * numbers and the pair's hash); false for any other pair, which those then read.
 */
export function readCommonPair(b: Uint8Array, end: number, s: ConnLine): boolean {
  const j = readIpv4Port(b, s.virtualStart, end, s.virtual);
  if (j < 0 || j === end || b[j] !== 32) return false;
  s.destStart = spaces(b, j, end);
  if (readIpv4Port(b, s.destStart, end, s.dest) !== end) return false;
  s.virtualEnd = j;
  s.destEnd = end;
  s.virtualKey = s.virtual.ipv4 * 65536 + s.virtual.port;
  s.destKey = s.dest.ipv4 * 65536 + s.dest.port;
  s.groupHash = keyHash(s.protocol, s.virtualKey, s.destKey);
  return true;
}

/**
 * A canonical IPv4 `A.B.C.D:PORT` from i into out: four parts of 1 to 3 digits, each at most 255, and a port of 1 to
 * 5 digits, at most 65535, none with a leading zero (the only text of its numbers, as the kernel prints them).
 * Answers where it ends, or -1.
 */
function readIpv4Port(b: Uint8Array, i: number, end: number, out: AddressPort): number {
  const first = i;
  let value = 0;
  for (let part = 0; ; part++) {
    const at = i;
    let octet = 0;
    for (let d = 0; i < end && (d = digit(b, i)) <= 9; i++) octet = octet * 10 + d;
    const digits = i - at;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && b[at] === 48)) return -1;
    value = value * 256 + octet;
    if (part === 3) break;
    if (i >= end || b[i] !== 46 /* . */) return -1;
    i++;
  }
  if (i >= end || b[i] !== 58 /* : */) return -1;
  out.ipv4 = value;
  out.start = first;
  out.end = i;
  return readPort(b, i + 1, end, out);
}

/** A bracketed IPv6 `[ADDR]:PORT` from i into out, as addressPortAt takes it: where it ends, or -1. */
function readIpv6Port(b: Uint8Array, i: number, end: number, out: AddressPort): number {
  // Hex digits, colons (one at least) and dots up to the closing bracket.
  const first = ++i;
  let colon = false;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 58) colon = true;
    else if (!((c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102) || c === 46)) break;
  }
  if (!colon || i + 1 >= end || b[i] !== 93 /* ] */ || b[i + 1] !== 58 /* : */) return -1;
  out.ipv4 = -1;
  out.start = first;
  out.end = i;
  return readPort(b, i + 2, end, out);
}

/** A port of 1 to 5 digits, no leading zero, at most 65535, from i into out: where it ends, or -1. */
function readPort(b: Uint8Array, i: number, end: number, out: AddressPort): number {
  const at = i;
  let port = 0;
  for (let d = 0; i < end && (d = digit(b, i)) <= 9; i++) port = port * 10 + d;
  const digits = i - at;
  if (digits === 0 || digits > 5 || port > 65535 || (digits > 1 && b[at] === 48)) return -1;
  out.port = port;
  return i;
}
