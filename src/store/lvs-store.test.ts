import { describe, expect, it } from 'vitest';
import { applyCaptures } from '../../test/support/fixture-store.js';
import { CAPTURES, capturedStore, config, NOW } from '../../test/support/console-store.js';

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
