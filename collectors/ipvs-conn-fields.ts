import type { AddressPort } from './ipvs-conn-line.js';

/**
 * Byte readers for the fields of an `ipvsadm -L -n -c` line (see ipvs-conn-line.ts): each takes the line's bytes and
 * a span, and builds nothing per line.
 */

/** Where keyedFieldEnd leaves the number of the field it read. */
export interface FieldKey {
  fieldKey: number;
}

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

/**
 * Finds a field among fixed words (protocols, states) with one look: a hash of the field's length and first and last
 * two bytes picks the only word it can be, then one byte compare. Words that share a hash (none of CONN_PROTOCOLS or
 * CONN_STATES do) are walked as wordIndex does.
 */
export class WordTable {
  /** Index of the word with that hash; -1 none, -2 more than one. */
  private readonly byHash = new Int8Array(256).fill(-1);
  private readonly bytes: readonly Uint8Array[];

  constructor(private readonly words: readonly string[]) {
    this.bytes = words.map((w) => Uint8Array.from(w, (c) => c.charCodeAt(0)));
    this.bytes.forEach((w, i) => {
      const h = wordHash(w, 0, w.length);
      this.byHash[h] = this.byHash[h] === -1 ? i : -2;
    });
  }

  /** Index of the word b[i..j) in the words, or -1. */
  indexOf(b: Uint8Array, i: number, j: number): number {
    if (j <= i) return -1;
    const w = this.byHash[wordHash(b, i, j)]!;
    if (w < 0) return w === -1 ? -1 : wordIndex(b, i, j, this.words);
    const word = this.bytes[w]!;
    if (word.length !== j - i) return -1;
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
    return w;
  }
}

/** The hash of the non-empty word b[i..j) in WordTable. */
const wordHash = (b: Uint8Array, i: number, j: number): number =>
  Math.imul(((j - i) << 24) ^ (b[i]! << 16) ^ (b[j - 2 >= i ? j - 2 : i]! << 8) ^ b[j - 1]!, 0x9e3779b1) >>> 24;

/**
 * The end of the virtual or destination field from i. Anything up to a space or a control character: the field is
 * checked only when it starts a new group (readGroupFields); a known group's fields are compared byte for byte.
 */
export function fieldEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i]! > 32) i++;
  return i;
}

/**
 * A hash of the field b[i..j) into h: its length and last 8 bytes (the last octets and the port, where the pairs of a
 * director differ). Pairs alike there share a bucket and are told apart by the byte compare.
 */
export function tailHash(h: number, b: Uint8Array, i: number, j: number): number {
  for (let k = j - 8 > i ? j - 8 : i; k < j; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  return Math.imul(h ^ (j - i), 0x01000193);
}

/**
 * The end of the virtual or destination field from i, as fieldEnd, with s.fieldKey the field as one number when it is
 * a canonical `A.B.C.D:PORT` (parts 0..255 and a port of at most 65535, no leading zeros): address * 65536 + port,
 * else -1. Canonical text is the only text of its number, so matching such a field by number matches it byte for
 * byte, without the byte compare; any other field (IPv6, odd or bad text) is matched by its bytes.
 */
export function keyedFieldEnd(b: Uint8Array, i: number, end: number, s: FieldKey): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let n = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      if ((digits === 1 && n === 0) || digits === 5) break;
      n = n * 10 + c - 48;
      digits++;
    } else if (digits > 0 && n <= 255 && ((c === 46 /* . */ && part < 3) || (c === 58 /* : */ && part === 3))) {
      value = value * 256 + n;
      part++;
      digits = n = 0;
    } else break;
  }
  const canonical = part === 4 && digits > 0 && n <= 65535 && (i === end || b[i]! <= 32);
  s.fieldKey = canonical ? value * 65536 + n : -1;
  return canonical ? i : fieldEnd(b, i, end);
}

/** A hash of protocol and the two canonical fields' numbers, mixed so that its low bits (the table slot) vary. */
export function keyHash(protocol: number, virtualKey: number, destKey: number): number {
  let h = Math.imul(0x811c9dc5 ^ protocol, 0x01000193);
  h = Math.imul(h ^ (virtualKey | 0), 0x01000193) ^ ((virtualKey / 4294967296) | 0);
  h = Math.imul(h ^ (destKey | 0), 0x01000193) ^ ((destKey / 4294967296) | 0);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Past the spaces from i. ipvsadm pads with spaces only: a tab or other control character starts a bad field. */
export function spaces(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] === 32) i++;
  return i;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/**
 * An `ADDR:PORT` field from i: a dotted quad (each part 0..255, no leading zero) or a bracketed IPv6 address, `:`, a
 * port of at most 65535, then a space or the end. Fills `out`; returns the field's end, or -1.
 */
export function addressPortAt(b: Uint8Array, i: number, end: number, out: AddressPort): number {
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
