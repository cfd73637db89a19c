/**
 * Index-walk helpers for the one-pass ipvsadm parsers: positions into the char codes of the whole output text (see
 * charCodes), no line strings, no regular expressions. "Space" is what `\s` matches in a regular expression, so
 * results equal the regex grammar.
 */

export function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 160) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Vertical tab: a space to isSpace, and no literal the grammar looks for. */
const OTHER_SPACE = 0x0b;
/** Delete: not a space, digit or letter, and no literal the grammar looks for. */
const OTHER_CHAR = 0x7f;

/**
 * The text's UTF-16 units as bytes, one per unit so indexes are the text's: reading a typed array is several times
 * faster than charCodeAt on a long string (more so on the cons strings that concatenated output chunks make). ASCII
 * text (all real ipvsadm output) is encoded natively; in other text each non-ASCII unit becomes a stand-in that the
 * grammar treats alike: a space where isSpace says so, else a character no rule accepts.
 */
export function charCodes(text: string): Uint8Array {
  const utf8 = Buffer.from(text, 'utf8');
  if (utf8.length === text.length) return utf8;
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? c : isSpace(c) ? OTHER_SPACE : OTHER_CHAR;
  }
  return out;
}

export function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(b[i]!)) i++;
  return i;
}

export function skipToken(b: Uint8Array, i: number, end: number): number {
  while (i < end && !isSpace(b[i]!)) i++;
  return i;
}

/** End of the line's text without trailing space (what `line.trimEnd()` keeps). */
export function trimmedEnd(b: Uint8Array, start: number, end: number): number {
  while (end > start && isSpace(b[end - 1]!)) end--;
  return end;
}

/** Does b[i..) start with the ASCII text `word`? */
export function startsWith(b: Uint8Array, i: number, word: string): boolean {
  if (i + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Does b[i..end) start with `word` followed by the end or a space? */
export function wordAt(b: Uint8Array, i: number, end: number, word: string): boolean {
  return i + word.length <= end && startsWith(b, i, word) && (i + word.length === end || isSpace(b[i + word.length]!));
}

/** A whole decimal number b[i..j) of at most `maxDigits` (up to 15) digits: its value, or -1. */
export function digitsValue(b: Uint8Array, i: number, j: number, maxDigits: number): number {
  const n = j - i;
  if (n <= 0 || n > maxDigits) return -1;
  let v = 0;
  for (let k = i; k < j; k++) {
    const d = b[k]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The end of a run of digits from i. */
export function digitsEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/**
 * The `ADDR:PORT` of an ipvsadm line at i, as the grammar `(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)` followed by a space or
 * the end. Sets the fields of `out` and returns the position after the port, or -1 when the text does not fit. An
 * address without brackets is checked as a dotted quad on the way (each part 0..255 without a leading zero, as
 * ipvsadm prints and isIPv4 accepts): `out.ipv4` is its value, or -1.
 */
export function scanAddressPort(b: Uint8Array, i: number, end: number, out: AddressScan): number {
  let j = i;
  out.ipv4 = -1;
  out.colon = false;
  if (b[i] === 91 /* [ */) {
    j = i + 1;
    while (j < end) {
      const c = b[j]!;
      if (c === 58) out.colon = true;
      else if (!(isHex(c) || c === 46)) break;
      j++;
    }
    if (j === i + 1 || b[j] !== 93 /* ] */) return -1;
    out.addressStart = i + 1;
    out.addressEnd = j;
    j++;
  } else {
    let value = 0;
    let part = 0;
    let digits = 0;
    let dots = 0;
    let quad = true;
    for (; j < end; j++) {
      const c = b[j]!;
      if (c >= 48 && c <= 57) {
        if (digits === 1 && part === 0) quad = false;
        part = part * 10 + c - 48;
        digits++;
      } else if (c === 46 /* . */) {
        if (digits === 0 || part > 255) quad = false;
        value = value * 256 + part;
        dots++;
        part = digits = 0;
      } else break;
    }
    if (j === i) return -1;
    if (digits === 0 || part > 255 || dots !== 3) quad = false;
    out.addressStart = i;
    out.addressEnd = j;
    if (quad) out.ipv4 = value * 256 + part;
  }
  if (j >= end || b[j] !== 58 /* : */) return -1;
  const portStart = j + 1;
  const portEnd = digitsEnd(b, portStart, end);
  if (portEnd === portStart || (portEnd < end && !isSpace(b[portEnd]!))) return -1;
  out.rawStart = i;
  out.portStart = portStart;
  out.portEnd = portEnd;
  out.port = digitsValue(b, portStart, portEnd, 6);
  return portEnd;
}

/** Counters are u64: at most 20 digits. */
const COUNTER_DIGITS = 20;

/**
 * Exactly `count` whole numbers (at most 20 digits each) separated by spaces from i to end, into `into`: one walk,
 * digits summed as they are read. False when a field is not a number or there are more or fewer fields.
 */
export function numbersTo(b: Uint8Array, text: string, i: number, end: number, into: number[], count: number): boolean {
  for (let n = 0; n < count; n++) {
    i = skipSpace(b, i, end);
    const start = i;
    let v = 0;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    const digits = i - start;
    if (digits === 0 || digits > COUNTER_DIGITS || (i < end && !isSpace(b[i]!))) return false;
    // Past 15 digits the running sum can round differently from Number(text).
    into[n] = digits <= 15 ? v : Number(text.slice(start, i));
  }
  return skipSpace(b, i, end) === end;
}

/** Where scanAddressPort found the parts. */
export interface AddressScan {
  rawStart: number;
  addressStart: number;
  addressEnd: number;
  /** The dotted quad's value when the address has no brackets and is one, else -1. */
  ipv4: number;
  /** A colon inside the brackets (an IPv6 address). */
  colon: boolean;
  portStart: number;
  portEnd: number;
  /** -1 when the digits are too many to be a port. */
  port: number;
}
