import { isIPv4, isIPv6 } from 'node:net';

/**
 * Limits and range checks every parser applies to what a host printed. Real output never comes near them; text
 * that does is refused with a parse error instead of being parsed slowly or turned into an impossible value.
 */

/** Longest line a parser reads (ipvsadm, /proc and keepalived lines are well under 300 characters). */
export const MAX_LINE = 4096;
/** Most whitespace-separated fields a parser takes from one line. */
export const MAX_FIELDS = 64;
/** Digits of a 64-bit unsigned counter (18446744073709551615). */
const MAX_COUNTER_DIGITS = 20;
/** Last second of year 9999: Date handles it (and far more), and nothing real is later. */
export const MAX_UNIX_SECONDS = 253_402_300_799;

export const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
export const isWeight = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
export const isFwmark = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
export const isVrid = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 255;
export const isPriority = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 255;
/** A cumulative counter: finite, whole, not negative (a u64 read as a double). */
export const isCounter = (n: number): boolean => Number.isInteger(n) && n >= 0 && n < 2 ** 64;
/** Unix seconds that any Date and any duration arithmetic can take. */
export const isUnixTime = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= MAX_UNIX_SECONDS;

/** An IPv4 or IPv6 address as text (no brackets, no prefix); the length check keeps the test O(1). */
export function isIpAddress(text: string): boolean {
  if (text.length > 64) return false;
  return text.includes(':') ? isIPv6(text) : isIPv4(text);
}

/** Whole decimal number of at most `maxDigits` digits, or undefined. */
export function decimalUint(text: string, maxDigits = MAX_COUNTER_DIGITS): number | undefined {
  if (text.length === 0 || text.length > maxDigits) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(text);
}

/** Whole hexadecimal number of at most `maxDigits` digits, or undefined. */
export function hexUint(text: string, maxDigits: number): number | undefined {
  if (text.length === 0 || text.length > maxDigits) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
  }
  return parseInt(text, 16);
}

/** Decimal with an optional fraction (`1795287322.350329`), as /proc and keepalived print times and loads. */
export function decimalNumber(text: string, maxLength = 32): number | undefined {
  if (text.length === 0 || text.length > maxLength) return undefined;
  let dot = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && !dot && i > 0 && i < text.length - 1) dot = true;
    else if (c < 48 || c > 57) return undefined;
  }
  return Number(text);
}

/** Whitespace-separated fields of a line, or undefined when there are more than `max`. */
export function fieldsOf(line: string, max = MAX_FIELDS): string[] | undefined {
  const t = line.trim();
  if (t === '') return [];
  const f = t.split(/\s+/);
  return f.length > max ? undefined : f;
}

/** Deepest nesting of JSON a parser reads (keepalived and `ip -j` print 4 or 5 levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * Does JSON text nest no deeper than `max`? One pass, brackets inside strings skipped. The runtime's JSON.parse
 * takes ~100 ms for 100,000 nested brackets, so deep text is refused before it gets there.
 */
export function jsonDepthWithin(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return false;
    } else if (c === 93 || c === 125) depth--;
  }
  return true;
}
