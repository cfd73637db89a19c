import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpvsList, parseIpvsStats } from '../../collectors/ipvs-list.js';

/**
 * ipvs-list-expected.json holds what the earlier regex-per-line parser returned for every ipvsadm capture under
 * test/fixtures (Maps written as objects). Before that parser was removed, a test asserted the one-pass parser
 * deep-equal to it on all 368 fixture files; this keeps the one-pass parser to the same answers.
 */
const expected = JSON.parse(readFileSync(new URL('./ipvs-list-expected.json', import.meta.url), 'utf8')) as Record<
  string,
  { list: unknown; stats: unknown }
>;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const plain = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));

describe('one-pass ipvsadm parser gives the recorded answers on every capture', () => {
  it('has captures of tables, stats, rates, timeouts and thresholds to compare', () =>
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(60));

  it.each(Object.keys(expected))('%s', (name) => {
    const text = fixture(name);
    expect(plain(parseIpvsList(text))).toEqual(expected[name]!.list);
    expect(plain(parseIpvsStats(text))).toEqual(expected[name]!.stats);
  });
});
