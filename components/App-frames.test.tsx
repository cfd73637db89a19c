import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, type Mounted } from '../test/support/app-harness.js';
import { capturedStore, NOW } from '../test/support/console-store.js';
import { advanceAndRender, FAKE_TIMERS } from '../test/support/frames.js';

let mounted: Mounted | undefined;

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  mounted?.unmount();
  vi.useRealTimers();
});

describe('App frames', () => {
  it('draws 40 host polls 5 ms apart as a few frames: no part of the screen redraws on every poll', async () => {
    const store = capturedStore();
    const hosts = Object.keys(store.getState().hosts);
    mounted = mount(store);
    await advanceAndRender(1000);
    expect(mounted.lastFrame()).toContain('2/2 up');
    const before = mounted.frames.length;
    for (let i = 0; i < 39; i++) {
      // A poll's end: the host's read time moves, which the header's data age and host count are drawn from.
      store.getState().hostUp(hosts[i % hosts.length]!, NOW + i, 20);
      await advanceAndRender(5);
    }
    expect(mounted.frames.length - before).toBe(2);
    // The last poll, at 195 ms, finds a host down.
    store.getState().hostDown('director2', { kind: 'timeout', message: 'timed out' }, NOW + 39);
    await advanceAndRender(5);
    // 40 polls over 200 ms: the first drawn at once, then one frame per 100 ms; the one at 200 ms shows the last.
    expect(mounted.frames.length - before).toBe(3);
    expect(mounted.lastFrame()).toContain('1/2 up');
    // Quiet: no frame without a change.
    await advanceAndRender(1000);
    expect(mounted.frames.length - before).toBe(3);
  });
});
