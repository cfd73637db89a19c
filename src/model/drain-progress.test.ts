import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countIpvsConns } from '../../collectors/ipvs-conns.js';
import {
  atMostSeconds,
  drainProgress,
  drainState,
  drainText,
  roundUpDuration,
  type ConnReading,
} from './drain-progress.js';

/**
 * Reads of the lab's connection tables (test/fixtures/conns, test/lab/capture-conn-fixtures.sh): `live/` and, ten
 * seconds later, `backup-sync-down/`, with a client's 4 idle connections, a persistence template and closing
 * connections on each VIP.
 */
const read = (state: string, host: string, at: number, maxLines?: number): ConnReading => ({
  at,
  counts: countIpvsConns(
    readFileSync(resolve(import.meta.dirname, '../../test/fixtures/conns', state, `${host}.lnc.txt`), 'utf8'),
    maxLines === undefined ? {} : { maxLines },
  ),
});
const web2 = { address: '10.18.11.22', port: 80 };

describe('drain progress from the connection table', () => {
  it('counts what holds a server and bounds how long it can last', () => {
    const d = drainState(read('live', 'director1', 0), web2);
    expect(d).toMatchObject({ active: 4, inactive: 44, templates: 1, complete: true, drained: false });
    // The ESTABLISHED connections (14:52 left) outlast the template (00:54): the kernel re-arms the template for 60 s
    // while they live, and ipvsadm rounds down: 892 + 60 + 1.
    expect(d.atMostSec).toBe(953);
    expect(drainText(d)).toBe('draining: 4 active, 44 inactive, 1 template, at most 15m53s');
  });

  it('says drained for a server with nothing left, and only from a whole table', () => {
    const idle = { address: '10.18.11.21', port: 80 };
    const first = drainProgress(undefined, read('live', 'director1', 0), idle);
    expect(first).toMatchObject({ drainedNow: true, renewed: false, state: { drained: true, atMostSec: 0 } });
    expect(drainText(first.state)).toBe('drained');
    const cut = drainState(read('live', 'director1', 0, 2), idle);
    expect(cut).toMatchObject({ complete: false, drained: false });
    expect(drainText(cut)).toBe('draining: 0 active, 0 templates (table read cut short: at least this many)');
  });

  it('follows successive reads: the countdown falls with the clock, a renewal shows, the drained event fires once', () => {
    const live = read('live', 'director1', 0);
    const later = read('backup-sync-down', 'director1', 10_000);
    expect(drainProgress(live, later, web2)).toMatchObject({
      drainedNow: false,
      renewed: false,
      state: { atMostSec: 944, templates: 1, active: 4 },
    });
    // Had twenty seconds passed, entries lasting that long again means traffic renewed them.
    expect(drainProgress(live, { ...later, at: 20_000 }, web2).renewed).toBe(true);
    const header = readFileSync(
      resolve(import.meta.dirname, '../../test/fixtures/conns/live/director1.lnc.txt'),
      'utf8',
    )
      .split('\n')
      .slice(0, 2)
      .join('\n');
    const empty: ConnReading = { at: 960_000, counts: countIpvsConns(header) };
    expect(drainProgress(later, empty, web2)).toMatchObject({ drainedNow: true, state: { drained: true } });
    expect(drainProgress(empty, { ...empty, at: 962_000 }, web2).drainedNow).toBe(false);
  });

  it('reads one service or the whole host, templates of port-zero services included', () => {
    const nat = read('live', 'nat-director', 0);
    const real2 = { address: '192.168.60.40' };
    expect(drainState(nat, real2)).toMatchObject({ active: 4, inactive: 54, templates: 1 });
    expect(drainState(nat, { ...real2, serviceKey: 'UDP 172.16.60.22:53' })).toMatchObject({
      active: 0,
      inactive: 10,
      templates: 0,
      atMostSec: 134,
    });
  });

  it('never reads shorter than the entries can last', () => {
    const g = (conn?: number, tplLongest?: number, tplShortest?: number) => ({
      ...(conn === undefined ? {} : { longestConnExpiry: conn }),
      ...(tplLongest === undefined ? {} : { longestTemplateExpiry: tplLongest, shortestTemplateExpiry: tplShortest }),
    });
    const at = (...gs: ReturnType<typeof g>[]) => atMostSeconds(gs as never);
    expect(at()).toBe(0);
    expect(at(g(30, 50, 40))).toBe(51); // connections end before any template fires
    expect(at(g(45, 50, 40))).toBe(106); // a template fires at 40 with a connection alive: re-armed to 100 at most
    expect(at(g(0))).toBe(1); // 00:00 left is up to a second
    expect(at(g(undefined, 12, 3), g(7))).toBe(68);
  });

  it('rounds durations up', () => {
    expect([0, 0.2, 59, 60, 190, 3599, 3600, 3601, 7322].map(roundUpDuration)).toEqual([
      '0s',
      '1s',
      '59s',
      '1m00s',
      '3m10s',
      '59m59s',
      '1h00m',
      '1h01m',
      '2h03m',
    ]);
  });
});
