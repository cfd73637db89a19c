import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConnCount } from '../../collectors/ipvs-conn-count.js';
import type { SectionOutput } from '../../collectors/section.js';
import { applyCaptures, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { lncEntries, syncPairCaptures, syncPairConfig, wcOutput } from '../../test/support/sync-captures.js';
import { planHost } from './host-plan.js';
import { createLvsStore } from '../store/lvs-store.js';
import { CONN_COUNT_READ_MS, SYNC_DAEMON_READ_MS, syncPart } from './poll-parts.js';

const outputs = (o: Record<string, Omit<SectionOutput, 'id'>>) =>
  new Map(Object.entries(o).map(([id, v]) => [id, { id, ...v }]));
const store = () => createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 1000, readOnly: false });

describe("a director's connection sync part", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-12-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('starts no process on most polls: the daemons every 10 s, the table count every 30 s', () => {
    const part = syncPart('director1');
    const ids = () => part.sections().map((s) => s.id);
    expect(ids()).toEqual(['ipvs-daemon', 'ipvs-conn-count']);
    const seen: string[][] = [];
    for (let t = 1000; t <= 30_000; t += 1000) {
      vi.advanceTimersByTime(1000);
      seen.push(ids());
    }
    expect(seen.filter((s) => s.length > 0)).toEqual([
      ['ipvs-daemon'],
      ['ipvs-daemon'],
      ['ipvs-daemon', 'ipvs-conn-count'],
    ]);
    expect(SYNC_DAEMON_READ_MS).toBe(10_000);
    expect(CONN_COUNT_READ_MS).toBe(30_000);
    // Both were read just now: the next poll starts nothing.
    expect(ids()).toEqual([]);
  });

  it("counts both directors' tables in the same 30 s of the clock, though one came late once", () => {
    const counted = (part: ReturnType<typeof syncPart>) => part.sections().some((x) => x.id === 'ipvs-conn-count');
    const director1 = syncPart('director1');
    const director2 = syncPart('director2');
    const times: Record<string, number[]> = { director1: [], director2: [] };
    const start = Date.now();
    // Each polled every second, director2 400 ms after director1; director2 unreachable for its first 12 s.
    for (let t = 0; t < 95_000; t += 200) {
      if (t % 1000 === 0 && counted(director1)) times.director1!.push(t);
      if (t % 1000 === 400 && t >= 12_000 && counted(director2)) times.director2!.push(t);
      vi.setSystemTime(start + t + 200);
    }
    expect(times.director1).toEqual([0, 30_000, 60_000, 90_000]);
    // Its first count when it answered; after that in the same poll interval as director1's.
    expect(times.director2).toEqual([12_400, 30_400, 60_400, 90_400]);
  });

  it('reads the daemons again at the next poll after a VRRP transition, not 10 s on', () => {
    const t0 = Date.now();
    const s = storeFromCaptures(syncPairConfig, syncPairCaptures('live'), t0);
    const part = syncPart('director2');
    const ids = () => part.sections().map((x) => x.id);
    const daemon = { stdout: fixture('conns/live/director2.daemon.txt'), stderr: '', exitCode: 0 };
    expect(ids()).toEqual(['ipvs-daemon', 'ipvs-conn-count']);
    part.apply(outputs({ 'ipvs-daemon': daemon, 'ipvs-conn-count': wcOutput(45) }), s.getState(), t0);
    vi.setSystemTime(t0 + 1000);
    expect(ids()).toEqual([]);
    part.apply(outputs({}), s.getState(), t0 + 1000);
    // director1's keepalived stopped; director2 took over (lab captures), seen at the poll of t0 + 2 s.
    const failover = (name: string) => `failover/director2/${name}`;
    applyCaptures(
      s,
      syncPairConfig,
      {
        director2: {
          keepalived: failover('keepalived-json.txt'),
          'ip-addr': failover('ip-j-addr.txt'),
          'ipvs-list': failover('ipvsadm-Ln.txt'),
          'ipvs-stats': failover('ipvsadm-Ln-stats.txt'),
        },
      },
      t0 + 2000,
    );
    vi.setSystemTime(t0 + 2000);
    expect(ids()).toEqual([]);
    part.apply(outputs({}), s.getState(), t0 + 2000);
    vi.setSystemTime(t0 + 3000);
    expect(ids()).toEqual(['ipvs-daemon']);
  });

  it('counts the table without shipping it: one wc -l, capped by a time limit', () => {
    const section = syncPart('d')
      .sections()
      .find((s) => s.id === 'ipvs-conn-count')!;
    expect(section).toEqual({
      id: 'ipvs-conn-count',
      argv: ['wc', '-l', '/proc/net/ip_vs_conn'],
      guard: ['test', '-e', '/proc/net/ip_vs_conn'],
      timeoutSec: 5,
    });
    expect(parseConnCount('1 /proc/net/ip_vs_conn\n')).toEqual({ ok: true, value: 0 });
    expect(parseConnCount('1000001 /proc/net/ip_vs_conn\n')).toEqual({ ok: true, value: 1_000_000 });
    expect(parseConnCount('wc: /proc/net/ip_vs_conn: No such file').ok).toBe(false);
  });

  it('lands the captured daemon and table size, and says why a read gave nothing', () => {
    const s = store();
    const at = Date.now();
    syncPart('director1').apply(
      outputs({
        'ipvs-daemon': { stdout: fixture('conns/live/director1.daemon.txt'), stderr: '', exitCode: 0 },
        'ipvs-conn-count': wcOutput(lncEntries('live', 'director1')),
      }),
      s.getState(),
      at,
    );
    expect(s.getState().sync.director1).toEqual({
      host: 'director1',
      daemons: {
        readAt: at,
        everyMs: SYNC_DAEMON_READ_MS,
        ok: true,
        master: {
          role: 'master',
          interface: 'eth0',
          syncId: 51,
          maxLen: 1472,
          group: '224.0.0.81',
          port: 8848,
          ttl: 1,
        },
      },
      conns: { readAt: at, everyMs: CONN_COUNT_READ_MS, ok: true, entries: 49 },
    });
    // Killed at its time limit (`timeout -s KILL`: 137): the count says so; the daemons read earlier stay.
    syncPart('director1').apply(
      outputs({ 'ipvs-conn-count': { stdout: '', stderr: '', exitCode: 137 } }),
      s.getState(),
      at + 30_000,
    );
    expect(s.getState().sync.director1?.conns).toEqual({
      readAt: at + 30_000,
      everyMs: CONN_COUNT_READ_MS,
      ok: false,
      error: 'not done within 5s',
    });
    expect(s.getState().sync.director1?.daemons?.ok).toBe(true);
  });

  it('is read by directors of a pair only, after every other part of their poll but its cost', () => {
    const ids = planHost(syncPairConfig, 'director1')
      .sections()
      .map((x) => x.id);
    // Only the shell's `times` comes after it: what the whole poll cost the director.
    expect(ids.slice(-3)).toEqual(['ipvs-daemon', 'ipvs-conn-count', 'shell-times']);
    // A host that directs no cluster (a real server) reads no sync.
    expect(planHost(syncPairConfig, 'web1').parts.map((p) => p.id)).not.toContain('sync');
    // A lone director has no peer to take over its connections: its poll is spared the reads.
    const [pair] = syncPairConfig.clusters;
    const lone = { ...syncPairConfig, clusters: [{ ...pair!, directors: pair!.directors.slice(0, 1) }] };
    const parts = planHost(lone, 'director1').parts.map((p) => p.id);
    expect(parts).toContain('ipvs');
    expect(parts).not.toContain('sync');
  });
});
