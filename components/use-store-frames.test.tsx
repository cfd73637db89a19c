import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLvsStore } from '../src/store/lvs-store.js';
import { advanceAndRender, FAKE_TIMERS } from '../test/support/frames.js';
import { StoreContext } from './store-context.js';
import { useStoreFrames } from './use-store-frames.js';

let renders = 0;
function Ticks() {
  const s = useStoreFrames(10);
  renders += 1;
  return <Text>ticks {s.hosts.d1!.skippedTicks}</Text>;
}

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useStoreFrames', () => {
  it('draws 40 store changes 5 ms apart as a few frames: the first at once, then one per 100 ms, ending on the newest', async () => {
    const store = createLvsStore({ clusters: [], hosts: ['d1'], pollIntervalMs: 2000, readOnly: false });
    const r = render(
      <StoreContext.Provider value={store}>
        <Ticks />
      </StoreContext.Provider>,
    );
    // Past the first render and the effect that subscribes.
    await advanceAndRender(1000);
    const before = renders;
    store.getState().tickSkipped('d1');
    await advanceAndRender(0);
    expect(r.lastFrame()).toBe('ticks 1');
    expect(renders - before).toBe(1);
    for (let i = 1; i < 40; i++) {
      await advanceAndRender(5);
      store.getState().tickSkipped('d1');
    }
    // 39 more changes over 195 ms: one frame at 100 ms so far; the next, at 200 ms, shows the last change.
    expect(renders - before).toBe(2);
    expect(r.lastFrame()).toBe('ticks 20');
    await advanceAndRender(5);
    expect(renders - before).toBe(3);
    expect(r.lastFrame()).toBe('ticks 40');
    // Quiet: no frame without a change.
    await advanceAndRender(1000);
    expect(renders - before).toBe(3);
    r.unmount();
  });
});
