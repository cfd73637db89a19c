import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  mergeIpvsStats,
  parseIpvsList,
  parseIpvsListAndStats,
  parseIpvsListAndStatsByKey,
  parseIpvsStats,
} from '../../collectors/ipvs-list.js';

/**
 * ipvs-list-expected.json holds what the earlier regex-per-line parser returned for every ipvsadm capture under
 * test/fixtures (Maps written as objects). Before that parser was removed, a test asserted the one-pass parser
 * deep-equal to it on all 368 fixture files; this keeps the one-pass parser to the same answers. The console
 * captures and the `ipvsadm -S -n` ones were added later, recorded with the one-pass parser as it was before the
 * list and stats reads were paired in step.
 *
 * ipvs-merged-expected.json holds, from that same parser, the merged table for each list capture with each stats
 * capture of the same director (same state: one poll; other states: counters from another moment, entries that
 * differ).
 */
const expected = JSON.parse(readFileSync(new URL('./ipvs-list-expected.json', import.meta.url), 'utf8')) as Record<
  string,
  { list: unknown; stats: unknown }
>;
const merged = JSON.parse(readFileSync(new URL('./ipvs-merged-expected.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const plain = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));

describe('one-pass ipvsadm parser gives the recorded answers on every capture', () => {
  it('has captures of tables, stats, rates, timeouts and thresholds to compare', () =>
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(73));

  it.each(Object.keys(expected))('%s', (name) => {
    const text = fixture(name);
    expect(plain(parseIpvsList(text))).toEqual(expected[name]!.list);
    expect(plain(parseIpvsStats(text))).toEqual(expected[name]!.stats);
  });
});

describe('list and stats captures merged give the recorded tables', () => {
  it('has a pair for every poll captured', () => expect(Object.keys(merged).length).toBeGreaterThanOrEqual(76));

  it.each(Object.keys(merged))('%s', (pair) => {
    const [list, stats] = pair.split(' + ').map(fixture) as [string, string];
    const l = parseIpvsList(list);
    const s = parseIpvsStats(stats);
    if (!l.ok || !s.ok) throw new Error('a recorded pair no longer parses');
    expect(plain(mergeIpvsStats(l.value, s.value))).toEqual(merged[pair]);
    expect(plain(parseIpvsListAndStats(list, stats))).toEqual({ ok: true, value: merged[pair] });
  });
});

/** Line edits that put a list and a stats read out of step, or keep them in step in ways a merge by key tells apart. */
const isDest = (l: string) => /^\s+->\s+[[0-9]/.test(l);
/** The first real-server line: indent and arrow, port, the rest. */
const DEST = /^(\s+->\s+)[0-9.]+:(\d+)(.*)$/m;
/** The same line with its last number changed. */
const otherCounters = (line: string) => line.replace(/(\d+)\s*$/, '9$1');
const onLines = (f: (lines: string[]) => string[]) => (t: string) => f(t.split('\n')).join('\n');
/** Forty more real servers after the first, in its layout; with `twice`, 10.9.7.1 listed again with other numbers. */
const fortyMore = (twice: boolean) => (t: string) =>
  t.replace(DEST, (m, a: string, p: string, r: string) => {
    const more = Array.from({ length: 40 }, (_, k) => `${a}10.9.${k}.1:${p}${r}`);
    if (twice) more.push(otherCounters(more[7]!));
    return [m, ...more].join('\n');
  });
const EDITS: Record<string, (t: string) => string> = {
  'as captured': (t) => t,
  'real servers in reverse': onLines((ls) => {
    const rs = ls.filter(isDest).reverse();
    return ls.map((l) => (isDest(l) ? rs.shift()! : l));
  }),
  'every other real server gone': onLines((ls) => ls.filter((l, i) => !isDest(l) || i % 2 === 0)),
  'a real server added': (t) => t.replace(DEST, (m, a, p, r) => `${m}\n${a}10.9.9.9:${p}${r}`),
  'each real server twice': onLines((ls) => ls.flatMap((l) => (isDest(l) ? [l, otherCounters(l)] : [l]))),
  'the services twice': onLines((ls) => [...ls, ...ls.filter((l) => /^(TCP|UDP|FWM)/.test(l) || isDest(l))]),
  'forty real servers more': fortyMore(false),
  'forty more, one twice': fortyMore(true),
  'a port with a leading zero': (t) => t.replace(/(->\s+[0-9.]+):(\d+)/, '$1:0$2'),
  'a dotted quad in brackets': (t) => t.replace(/(->\s+)([0-9.]+):/, '$1[$2]:'),
  'IPv6 real servers': (t) => t.replace(/(->\s+)([0-9.]+):(\d+)/g, (m, a, ip, p) => `${a}[::ffff:${ip}]:${p}`),
  'a bad last line': (t) => t.replace(/\n?$/, '\n  -> 1.2.3.4:80 garbage\n'),
  'CRLF line ends': (t) => t.replace(/\n/g, '\r\n'),
};
const POLLS = [
  ['healthy/nat-director/ipvsadm-Ln.txt', 'healthy/nat-director/ipvsadm-Ln-stats.txt'],
  ['console/nat-director-ipvs-list.txt', 'console/nat-director-ipvs-stats.txt'],
  ['failover/director1/ipvsadm-Ln.txt', 'failover/director1/ipvsadm-Ln-stats.txt'],
] as const;

describe('list and stats read in step answer as the separate parses merged by key', () => {
  const cases = POLLS.flatMap(([list, stats]) =>
    Object.keys(EDITS).flatMap((edit) =>
      (['list', 'stats', 'both'] as const).map(
        (side) => [`${list}: ${edit} (${side})`, list, stats, edit, side] as const,
      ),
    ),
  );
  it.each(cases)('%s', (_name, list, stats, edit, side) => {
    const e = EDITS[edit]!;
    const l = side === 'stats' ? fixture(list) : e(fixture(list));
    const s = side === 'list' ? fixture(stats) : e(fixture(stats));
    expect(parseIpvsListAndStats(l, s)).toEqual(parseIpvsListAndStatsByKey(l, s));
  });
});
