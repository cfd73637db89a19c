import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeldTransport } from '../../test/support/held-transport.js';
import { createLvsStore } from '../store/lvs-store.js';
import { NfsProber, nfsProbeCall } from './nfs-prober.js';

describe('the NFS probe call in a long-lived bash', () => {
  it('quotes the mountpoint, a quote in it included, and gives the timeout in whole seconds', () => {
    expect(nfsProbeCall("/mnt/it's", 2500)).toBe("lvstop_nfs_probe '/mnt/it'\\''s' 3");
  });
});

describe('NfsProber timing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('probes at once, then on the clock grid of its phase: two probers started apart probe at the same moments', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(5_000_000_000);
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-nfs-grid-'));
    const store = createLvsStore({ clusters: [], hosts: ['web1'], pollIntervalMs: 1000, readOnly: false });
    const started = (name: string) => {
      const transport = new HeldTransport('web1');
      const at: number[] = [];
      const exec = transport.exec.bind(transport);
      transport.exec = (...args: Parameters<typeof exec>) => (at.push(Date.now() % 1000), exec(...args));
      const prober = new NfsProber({
        mountId: `web1:${name}`,
        mountpoint: dir,
        transport,
        store,
        intervalMs: 1000,
        probeTimeoutMs: 2000,
        phaseMs: 375,
      });
      prober.start();
      return { transport, prober, at };
    };
    try {
      const a = started('a');
      await vi.advanceTimersByTimeAsync(610);
      const b = started('b');
      for (let i = 0; i < 10; i++) {
        // Each probe runs the real probe script on this machine; timers fire a little late.
        for (const p of [a, b]) if (p.transport.pending.length > 0) p.transport.release();
        await vi.advanceTimersByTimeAsync(i % 2 === 0 ? 333 : 300);
      }
      expect(a.at[0]).toBe(0);
      expect(b.at[0]).toBe(610);
      expect(a.at.length).toBeGreaterThanOrEqual(3);
      expect(new Set([...a.at.slice(1), ...b.at.slice(1)])).toEqual(new Set([375]));
      for (const p of [a, b]) if (p.transport.pending.length > 0) p.transport.release();
      await Promise.all([a.prober.stop(), b.prober.stop()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
