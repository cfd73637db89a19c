import { describe, expect, it } from 'vitest';
import { ConnectGate } from './connect-gate.js';

describe('ConnectGate', () => {
  it('lets at most `limit` run at once, starts the rest in order as slots free, and frees a slot on failure', async () => {
    const gate = new ConnectGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const task = (i: number) =>
      gate.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((r) => releases.push(r));
        running -= 1;
        if (i === 0) throw new Error('handshake failed');
        return i;
      });
    const all = [0, 1, 2, 3, 4].map((i) => task(i).catch((e: Error) => e.message));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(started).toEqual([0, 1]);
    while (releases.length > 0) {
      releases.shift()!();
      await settle();
    }
    expect(await Promise.all(all)).toEqual(['handshake failed', 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
