import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyCaptures } from '../../test/support/fixture-store.js';
import { CAPTURES, capturedStore, config, NOW } from '../../test/support/console-store.js';
import { clusterInfos } from '../poller/host-plan.js';
import { createLvsStore } from './lvs-store.js';

describe('the store factory', () => {
  it('gives each caller its own store', () => {
    const a = capturedStore();
    const b = capturedStore();
    a.getState().setPaused(true);
    a.getState().addAudit([{ at: NOW, operator: 'x', action: 'weight', target: 't', result: 'ok', message: '' }]);
    expect(b.getState().paused).toBe(false);
    expect(b.getState().audit).toEqual([]);
    expect(a.getState().ipvs.director1).not.toBe(b.getState().ipvs.director1);
  });
});

describe('updates', () => {
  it('keep what did not change: the same capture read again shares the parsed table and keepalived reading', () => {
    const store = capturedStore();
    const before = store.getState();
    applyCaptures(store, config, CAPTURES, NOW + 1000);
    const after = store.getState();
    const table = (s: typeof before) => {
      const r = s.ipvs.director1!.reading;
      return r.status === 'ok' ? r.table : undefined;
    };
    expect(after.ipvs.director1!.readAt).toBe(NOW + 1000);
    expect(table(after)).toBeDefined();
    expect(table(after)).toBe(table(before));
    expect(after.keepalived.director2!.reading).toBe(before.keepalived.director2!.reading);
    expect(after.clusters).toBe(before.clusters);
  });

  it('skip set when nothing changed, so subscribers are not woken', () => {
    const store = capturedStore();
    let sets = 0;
    store.subscribe(() => sets++);
    const { hostUp, setPaused } = store.getState();
    hostUp('director1', NOW, 40);
    setPaused(false);
    store.getState().addEvents([]);
    store.getState().addAudit([]);
    expect(sets).toBe(0);
    hostUp('director1', NOW + 1000, 40);
    expect(sets).toBe(1);
  });
});

describe('the commit window', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const windowed = () =>
    createLvsStore({
      clusters: clusterInfos(config),
      hosts: ['director1', 'director2', 'web1'],
      pollIntervalMs: 1000,
      readOnly: false,
      commitWindowMs: 50,
    });

  it('lands the first write at once and the writes that follow within the window together', async () => {
    vi.useFakeTimers({ now: NOW });
    const store = windowed();
    const landed: string[][] = [];
    store.subscribe((next) => landed.push([...(next.changes?.hosts?.keys ?? [])]));
    store.getState().hostUp('director1', NOW, 10);
    expect(landed).toEqual([['director1']]);
    await vi.advanceTimersByTimeAsync(10);
    store.getState().hostUp('director2', Date.now(), 10);
    await vi.advanceTimersByTimeAsync(10);
    store.getState().hostUp('web1', Date.now(), 10);
    store.getState().hostUp('director2', Date.now(), 12);
    // Held: readers still see the last landed state.
    expect(store.getState().hosts.director2!.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(29);
    expect(landed).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(landed).toEqual([['director1'], ['director2', 'web1']]);
    expect(store.getState().hosts.director2!.pollDurationMs).toBe(12);
  });

  it('lands what the operator did at once, with the writes it held', async () => {
    vi.useFakeTimers({ now: NOW });
    const store = windowed();
    let changes = 0;
    store.subscribe(() => changes++);
    store.getState().hostUp('director1', NOW, 10);
    await vi.advanceTimersByTimeAsync(5);
    store.getState().hostUp('director2', Date.now(), 10);
    store.getState().setPaused(true);
    expect(changes).toBe(2);
    expect(store.getState().paused).toBe(true);
    expect(store.getState().hosts.director2!.status).toBe('up');
    await vi.advanceTimersByTimeAsync(10);
    store.getState().hostUp('web1', Date.now(), 10);
    store.getState().flush();
    expect(changes).toBe(3);
    expect(store.getState().hosts.web1!.status).toBe('up');
    await vi.advanceTimersByTimeAsync(100);
    expect(changes).toBe(3);
  });
});
