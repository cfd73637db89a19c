import { afterEach, describe, expect, it } from 'vitest';
import { capturedStore, NOW } from '../test/support/console-store.js';
import { mount, type Mounted } from '../test/support/app-harness.js';

let mounted: Mounted | undefined;
afterEach(() => mounted?.unmount());

describe('App frames', () => {
  it('draws 40 host polls 5 ms apart as a few frames: no part of the screen redraws on every poll', async () => {
    const store = capturedStore();
    const hosts = Object.keys(store.getState().hosts);
    mounted = mount(store);
    const settle = Date.now() + 500;
    while (Date.now() < settle) await new Promise((r) => setTimeout(r, 20));
    const before = mounted.frames.length;
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      // A poll's end: the host's read time moves, which the header's data age and host count are drawn from.
      store.getState().hostUp(hosts[i % hosts.length]!, NOW + i, 20);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 250));
    const frames = mounted.frames.length - before;
    // At most one data frame per 100 ms, the first at once.
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1);
  });
});
