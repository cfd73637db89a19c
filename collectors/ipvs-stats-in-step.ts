import type { AddressScan } from './ipvs-line-scan.js';
import { countersOf, linesOf, newLineScan, type LineKind, type LineScan, type Lines } from './ipvs-lines.js';
import { readStatsLine } from './ipvs-stats-line.js';
import type { IpvsCounters } from './ipvs-types.js';

/**
 * A --stats read taken line by line beside the list read of the same poll. Both print the kernel's table in the same
 * order, so each list line is paired with the next stats line, and counters go straight onto the entries being built:
 * no keys cut out, no map, no second copy of the table. Each step answers undefined when the two reads are not in
 * step (an entry added or removed in between, a stats line that does not parse, an entry listed twice, an address
 * written another way than the merge keys it): the caller then parses both on their own and merges by key, which
 * gives the same table for any input.
 */
export interface StatsInStep {
  readonly lines: Lines;
  readonly scan: LineScan;
  sawHeader: boolean;
  sawService: boolean;
  readonly serviceKeys: Set<string>;
  /** `ipv4 * 65536 + port` of the current service's real servers, to find one listed twice. */
  rsKeys: Float64Array;
  rsCount: number;
  /** `[v6]:port` of the current service's real servers. */
  rsTexts: Set<string> | undefined;
}

export const statsInStep = (text: string): StatsInStep => ({
  lines: linesOf(text),
  scan: newLineScan(),
  sawHeader: false,
  sawService: false,
  serviceKeys: new Set(),
  rsKeys: new Float64Array(64),
  rsCount: 0,
  rsTexts: undefined,
});

/** Counters for the list's service line just read (in `ls`, keyed `key`), from the next stats line. */
export function pairService(st: StatsInStep, list: Lines, ls: LineScan, key: string): IpvsCounters | undefined {
  if (!realServersDistinct(st) || st.serviceKeys.has(key)) return undefined;
  st.serviceKeys.add(key);
  if (nextEntry(st) !== 'service') return undefined;
  const s = st.scan;
  if (s.protocol !== ls.protocol) return undefined;
  if (
    ls.protocol === 'FWM'
      ? s.fwmark !== ls.fwmark || s.ipv6 !== ls.ipv6
      : s.port !== ls.port ||
        !sameText(list.codes, ls.addressStart, ls.addressEnd, st.lines.codes, s.addressStart, s.addressEnd)
  )
    return undefined;
  st.sawService = true;
  st.rsCount = 0;
  st.rsTexts = undefined;
  return countersOf(s.nums);
}

/** Counters for the list's real-server line just read (in `ls`), from the next stats line. */
export function pairDest(st: StatsInStep, list: Lines, ls: LineScan): IpvsCounters | undefined {
  // The merge looks a real server up by realServerKey: brackets only around IPv6, the port without leading zeros.
  // Where both reads spell ADDR:PORT that way, the same text (for a dotted quad, the same value) is the same key.
  const bracketed = list.codes[ls.rawStart] === 91; /* [ */
  if (bracketed !== ls.colon || !plainPort(list.codes, ls)) return undefined;
  if (nextEntry(st) !== 'dest') return undefined;
  const s = st.scan;
  if (bracketed) {
    if (!sameText(list.codes, ls.rawStart, ls.portEnd, st.lines.codes, s.rawStart, s.portEnd)) return undefined;
    const raw = list.text.slice(ls.rawStart, ls.portEnd);
    if (st.rsTexts?.has(raw)) return undefined;
    (st.rsTexts ??= new Set()).add(raw);
  } else {
    if (s.ipv4 !== ls.ipv4 || s.port !== ls.port || !plainPort(st.lines.codes, s)) return undefined;
    if (st.rsCount === st.rsKeys.length) {
      const grown = new Float64Array(st.rsKeys.length * 2);
      grown.set(st.rsKeys);
      st.rsKeys = grown;
    }
    st.rsKeys[st.rsCount++] = ls.ipv4 * 65536 + ls.port;
  }
  return countersOf(s.nums);
}

/** The port is written without a leading zero. */
const plainPort = (b: Uint8Array, a: AddressScan): boolean => b[a.portStart] !== 48 || a.portEnd === a.portStart + 1;

/** After the list's last line: were the stats in step to their end? */
export const pairEnd = (st: StatsInStep): boolean => realServersDistinct(st) && nextEntry(st) === 'end' && st.sawHeader;

/** The next service or real-server line of the stats (or the end, or a fault). */
function nextEntry(st: StatsInStep): LineKind {
  for (;;) {
    const kind = readStatsLine(st.lines, st.scan, st.sawService);
    if (kind === 'header') st.sawHeader = true;
    else if (kind !== 'heading') return kind;
  }
}

/** a[i..j) and b[k..l) are the same text. */
function sameText(a: Uint8Array, i: number, j: number, b: Uint8Array, k: number, l: number): boolean {
  if (j - i !== l - k) return false;
  for (; i < j; i++, k++) if (a[i] !== b[k]) return false;
  return true;
}

/** No IPv4 real server twice in the current service (a merge by key would give both the last one's counters). */
function realServersDistinct(st: StatsInStep): boolean {
  const n = st.rsCount;
  const keys = st.rsKeys;
  if (n <= 32) {
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (keys[i] === keys[j]) return false;
    return true;
  }
  const sorted = keys.subarray(0, n).sort();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}
