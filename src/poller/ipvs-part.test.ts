import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SectionOutput } from '../../collectors/section.js';
import { createLvsStore } from '../store/lvs-store.js';
import { IPVS_LIST_READ_MS, ipvsPart } from './poll-parts.js';

const DIR = 'healthy/director1';
const fx = (name: string) => readFileSync(new URL(`../../test/fixtures/${DIR}/${name}`, import.meta.url), 'utf8');
const CAPTURED: Record<string, string> = {
  'ipvs-list': fx('ipvsadm-Ln.txt'),
  'ipvs-stats': fx('ipvsadm-Ln-stats.txt'),
  'ipvs-proc': fx('proc-net-ip_vs.txt'),
  'ipvs-proc-stats': fx('proc-net-ip_vs_stats.txt'),
};

/** What the lab director answered to each section asked for; `proc` stands in for /proc/net/ip_vs. */
const answer = (ids: readonly string[], proc = CAPTURED['ipvs-proc']!) =>
  new Map<string, SectionOutput>(
    ids.map((id) => [id, { id, stdout: id === 'ipvs-proc' ? proc : CAPTURED[id]!, stderr: '', exitCode: 0 }]),
  );

const T0 = Date.parse('2026-12-01T00:00:00Z');

describe("a director's IPVS part", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('runs ipvsadm once a poll: the list with /proc every 10 s, /proc and --stats alone in between', () => {
    const store = createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 2000, readOnly: false });
    const part = ipvsPart('director1');
    const poll = (proc?: string) => {
      const ids = part.sections().map((s) => s.id);
      part.apply(answer(ids, proc), store.getState(), Date.now());
      return ids;
    };
    expect(poll()).toEqual(['ipvs-list', 'ipvs-stats', 'ipvs-proc', 'ipvs-proc-stats']);
    const full = store.getState().ipvs.director1!.reading;
    const seen: string[][] = [];
    for (let t = 2000; t <= IPVS_LIST_READ_MS; t += 2000) {
      vi.setSystemTime(T0 + t);
      seen.push(poll());
      expect(store.getState().ipvs.director1!.reading).toEqual(full);
    }
    expect(seen).toEqual([
      ...Array.from({ length: 4 }, () => ['ipvs-stats', 'ipvs-proc', 'ipvs-proc-stats']),
      ['ipvs-list', 'ipvs-stats', 'ipvs-proc', 'ipvs-proc-stats'],
    ]);
    // The scheduler changed behind the console: /proc shows it at once, and the next poll reads the list.
    vi.setSystemTime(T0 + 12_000);
    expect(poll(CAPTURED['ipvs-proc']!.replace('0050 rr  persistent', '0050 wlc  persistent'))).not.toContain(
      'ipvs-list',
    );
    const now = store.getState().ipvs.director1!.reading;
    expect(now.status === 'ok' && now.table.services[0]!.scheduler).toBe('wlc');
    vi.setSystemTime(T0 + 14_000);
    expect(poll()).toContain('ipvs-list');
    expect(IPVS_LIST_READ_MS).toBe(10_000);
  });

  it('reads the list every poll while ipvsadm fails, with /proc as the reading', () => {
    const store = createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 2000, readOnly: false });
    const part = ipvsPart('director1');
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(T0 + i * 2000);
      const ids = part.sections().map((s) => s.id);
      expect(ids).toContain('ipvs-list');
      const out = answer(ids);
      for (const id of ['ipvs-list', 'ipvs-stats'])
        out.set(id, { id, stdout: '', stderr: 'sh: 1: ipvsadm: not found', exitCode: 127 });
      part.apply(out, store.getState(), Date.now());
      expect(store.getState().ipvs.director1!.reading).toMatchObject({ status: 'ok', source: 'proc' });
    }
  });
});
