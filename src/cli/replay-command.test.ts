import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordIncident, renamedSite } from '../../test/support/recorded-incident.js';
import { runReplay } from './replay-command.js';

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-replay-cmd-'));
  await recordIncident(join(dir, 'lab'));
  vi.useRealTimers();
  await recordIncident(join(dir, 'east'), { at: renamedSite('east') });
  vi.useRealTimers();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(paths: string[], options: object) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    const code = await runReplay(paths, options);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const lab = () => join(dir, 'lab');
const east = () => join(dir, 'east');
const lines = (out: string) => out.split('\n').filter(Boolean);
/** Each timeline line as its time and event kind. */
const kinds = (out: string) => lines(out).map((l) => l.replace(/^(\S+) (?:\[\S+\] )?\S+ +(\S+) .*$/, '$1 $2'));

describe('replay --events', () => {
  it('prints the event timeline at the recorded times: the split brain begins and ends', async () => {
    const { code, out, err } = await run([lab()], { events: true });
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(lines(out)).toEqual([
      '2026-11-22T03:14:19.000Z warn     vrrp-transition wordpress/director2: director2 VI_WEB FAULT → MASTER',
      '2026-11-22T03:14:19.000Z critical split-brain-begin wordpress: VRID 51: MASTER on director1 and director2',
      '2026-11-22T03:14:39.000Z critical vrrp-transition wordpress/director2: director2 VI_WEB MASTER → FAULT',
      '2026-11-22T03:14:39.000Z info     split-brain-end wordpress: resolved: VRID 51: MASTER on director1 and director2',
    ]);
  });

  it('--from and --to keep the events between them (clock times, offsets from the start)', async () => {
    const after = await run([lab()], { events: true, from: '03:14:30' });
    expect(kinds(after.out)).toEqual([
      '2026-11-22T03:14:39.000Z vrrp-transition',
      '2026-11-22T03:14:39.000Z split-brain-end',
    ]);
    const before = await run([lab()], { events: true, to: '+20s' });
    expect(kinds(before.out)).toEqual([
      '2026-11-22T03:14:19.000Z vrrp-transition',
      '2026-11-22T03:14:19.000Z split-brain-begin',
    ]);
    // Both ends inclusive: the moment of the split brain's end alone, given as an ISO time.
    const at = await run([lab()], { events: true, from: '03:14:39', to: '2026-11-22T03:14:39Z' });
    expect(kinds(at.out)).toEqual(kinds(after.out));
    expect((await run([lab()], { events: true, from: '03:14:40', to: '03:14:50' })).out).toBe('');
  });

  it('a time it cannot read: exit 2 and what it expected', async () => {
    const { code, out, err } = await run([lab()], { events: true, from: 'soon' });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^lvstop replay: --from "soon": expected a clock time \(03:14:05\), an ISO time, or an offset/);
  });
});

describe('replay --summary', () => {
  it('first and last time, the site, clusters, hosts, alerts raised and cleared', async () => {
    const { code, out } = await run([lab()], { summary: true });
    expect(code).toBe(0);
    expect(lines(out)).toEqual([
      'first    2026-11-22T03:14:00.000Z',
      expect.stringMatching(/^last {5}2026-11-22T03:14:5\d\.\d{3}Z \(5\d s\)$/),
      'site     lab: 1 segment(s), poll every 2000 ms, recording format v1',
      'clusters wordpress, second',
      'hosts    director1, director2',
      'alerts raised  split-brain ×1',
      'alerts cleared split-brain ×1',
      'events   4, audit lines 0',
    ]);
  });
});

describe('two recordings of different sites, side by side', () => {
  it('--events merges both timelines by time, each line naming its site', async () => {
    const { code, out } = await run([lab(), east()], { events: true });
    expect(code).toBe(0);
    const got = lines(out);
    expect(got).toHaveLength(8);
    expect(got.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      '2026-11-22T03:14:19.000Z [lab]',
      '2026-11-22T03:14:19.000Z [lab]',
      '2026-11-22T03:14:19.000Z [east]',
      '2026-11-22T03:14:19.000Z [east]',
      '2026-11-22T03:14:39.000Z [lab]',
      '2026-11-22T03:14:39.000Z [lab]',
      '2026-11-22T03:14:39.000Z [east]',
      '2026-11-22T03:14:39.000Z [east]',
    ]);
    expect(kinds(out).filter((k) => k.includes('split-brain'))).toEqual([
      '2026-11-22T03:14:19.000Z split-brain-begin',
      '2026-11-22T03:14:19.000Z split-brain-begin',
      '2026-11-22T03:14:39.000Z split-brain-end',
      '2026-11-22T03:14:39.000Z split-brain-end',
    ]);
    expect(got[3]).toBe(
      '2026-11-22T03:14:19.000Z [east] critical split-brain-begin east-wordpress: VRID 51: MASTER on east-director1 and east-director2',
    );
  });

  it('--summary names both sites and counts both split brains', async () => {
    const { out } = await run([lab(), east()], { summary: true });
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        'site     lab: 1 segment(s), poll every 2000 ms, recording format v1',
        'site     east: 1 segment(s), poll every 2000 ms, recording format v1',
        'clusters wordpress, second, east-wordpress, east-second',
        'hosts    director1, director2, east-director1, east-director2',
        'alerts raised  split-brain ×2',
        'alerts cleared split-brain ×2',
      ]),
    );
  });

  it('--at --json shows both sites at that moment, as one attached console would', async () => {
    const { code, out } = await run([lab(), east()], { at: '03:14:25', json: true });
    expect(code).toBe(0);
    const snap = JSON.parse(out) as {
      recordedAt: string;
      hosts: { name: string }[];
      clusters: { name: string; alerts: { kind: string }[] }[];
    };
    expect(snap.recordedAt).toBe('2026-11-22T03:14:25.000Z');
    expect(snap.hosts.map((h) => h.name)).toEqual(['director1', 'director2', 'east-director1', 'east-director2']);
    const alerts = Object.fromEntries(snap.clusters.map((c) => [c.name, c.alerts.map((a) => a.kind)]));
    expect(alerts.wordpress).toEqual(['split-brain']);
    expect(alerts['east-wordpress']).toEqual(['split-brain']);
  });

  it('two sites that use the same names are refused, as attach refuses two such serves', async () => {
    await recordIncident(join(dir, 'twin'), { site: 'twin', polls: 3 });
    vi.useRealTimers();
    const { code, out, err } = await run([lab(), join(dir, 'twin')], { summary: true });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      'lvstop replay: these recordings share names, replay them one at a time: cluster wordpress (lab and twin), ' +
        'cluster second (lab and twin), host director1 (lab and twin), host director2 (lab and twin)\n',
    );
  });
});
