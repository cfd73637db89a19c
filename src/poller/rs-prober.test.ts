import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeldTransport } from '../../test/support/held-transport.js';
import { createLvsStore } from '../store/lvs-store.js';
import { RsProber } from './rs-prober.js';

describe('RsProber timing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts its rounds on the clock grid of its phase: two probers started apart start together', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(5_000_000_000);
    const store = createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 1000, readOnly: false });
    const started = () => {
      const prober = new RsProber({
        director: 'director1',
        transport: new HeldTransport('director1'),
        store,
        intervalMs: 1000,
        phaseMs: 625,
      });
      const at: number[] = [];
      const round = prober.probe.bind(prober);
      prober.probe = () => (at.push(Date.now() % 1000), round());
      prober.start();
      return { prober, at };
    };
    const a = started();
    await vi.advanceTimersByTimeAsync(410);
    const b = started();
    // Timers that fire late (a busy event loop) must not move the rounds off the grid.
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(i % 2 === 0 ? 333 : 300);
    expect(a.at.length).toBeGreaterThanOrEqual(3);
    expect(b.at.length).toBeGreaterThanOrEqual(2);
    expect(new Set([...a.at, ...b.at])).toEqual(new Set([625]));
    await Promise.all([a.prober.stop(), b.prober.stop()]);
    const ticks = a.at.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.at.length).toBe(ticks);
  });
});
