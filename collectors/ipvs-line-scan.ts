/**
 * Index-walk helpers for the one-pass ipvsadm parsers: positions into the whole output text, no line strings, no
 * regular expressions. "Space" is what `\s` matches in a regular expression, so results equal the regex grammar.
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

export function skipSpace(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

export function skipToken(text: string, i: number, end: number): number {
  while (i < end && !isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** End of the line's text without trailing space (what `line.trimEnd()` keeps). */
export function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Does text[i..end) start with `word` followed by the end or a space? */
export function wordAt(text: string, i: number, end: number, word: string): boolean {
  return (
    i + word.length <= end &&
    text.startsWith(word, i) &&
    (i + word.length === end || isSpace(text.charCodeAt(i + word.length)))
  );
}

/**
 * A whole decimal number text[i..j): its value, or -1 when it is not all digits or is longer than `maxDigits`.
 * Short numbers are summed digit by digit; long ones go through Number() so rounding equals Number(text).
 */
export function digitsValue(text: string, i: number, j: number, maxDigits: number): number {
  const n = j - i;
  if (n <= 0 || n > maxDigits) return -1;
  let v = 0;
  for (let k = i; k < j; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return n <= 15 ? v : Number(text.slice(i, j));
}

/** The end of a run of digits from i. */
export function digitsEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/** text[i..j) is a dotted quad, each part 0..255 without a leading zero (as ipvsadm prints and isIPv4 accepts). */
export function isIpv4At(text: string, i: number, j: number): boolean {
  let parts = 0;
  while (i <= j) {
    let k = i;
    while (k < j && text.charCodeAt(k) !== 46) k++;
    const len = k - i;
    if (len < 1 || len > 3 || (len > 1 && text.charCodeAt(i) === 48)) return false;
    const v = digitsValue(text, i, k, 3);
    if (v < 0 || v > 255 || ++parts > 4) return false;
    i = k + 1;
  }
  return parts === 4;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/**
 * The `ADDR:PORT` of an ipvsadm line at i, as the grammar `(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)` followed by a space or
 * the end. Sets the fields of `out` and returns the position after the port, or -1 when the text does not fit.
 */
export function scanAddressPort(text: string, i: number, end: number, out: AddressScan): number {
  let j = i;
  if (text.charCodeAt(i) === 91 /* [ */) {
    j = i + 1;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (!(isHex(c) || c === 58 || c === 46)) break;
      j++;
    }
    if (j === i + 1 || text.charCodeAt(j) !== 93 /* ] */) return -1;
    out.addressStart = i + 1;
    out.addressEnd = j;
    j++;
  } else {
    while (j < end) {
      const c = text.charCodeAt(j);
      if (!((c >= 48 && c <= 57) || c === 46)) break;
      j++;
    }
    if (j === i) return -1;
    out.addressStart = i;
    out.addressEnd = j;
  }
  if (j >= end || text.charCodeAt(j) !== 58 /* : */) return -1;
  const portStart = j + 1;
  const portEnd = digitsEnd(text, portStart, end);
  if (portEnd === portStart || (portEnd < end && !isSpace(text.charCodeAt(portEnd)))) return -1;
  out.rawStart = i;
  out.port = digitsValue(text, portStart, portEnd, 6);
  return portEnd;
}

/** Where scanAddressPort found the parts; reused for every line so the walk allocates nothing per line. */
export interface AddressScan {
  rawStart: number;
  addressStart: number;
  addressEnd: number;
  /** -1 when the digits are too many to be a port. */
  port: number;
}

export const newAddressScan = (): AddressScan => ({ rawStart: 0, addressStart: 0, addressEnd: 0, port: -1 });
