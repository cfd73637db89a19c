import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { createLvsStore } from '../src/store/lvs-store.js';
import { StoreContext } from './store-context.js';
import { useStoreFrames } from './use-store-frames.js';

let renders = 0;
function Ticks() {
  const s = useStoreFrames(10);
  renders += 1;
  return <Text>ticks {s.hosts.d1!.skippedTicks}</Text>;
}

describe('useStoreFrames', () => {
  it('draws 40 store changes 5 ms apart as a few frames, ending on the newest state', async () => {
    const store = createLvsStore({ clusters: [], hosts: ['d1'], pollIntervalMs: 2000, readOnly: false });
    const r = render(
      <StoreContext.Provider value={store}>
        <Ticks />
      </StoreContext.Provider>,
    );
    const before = renders;
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      store.getState().tickSkipped('d1');
      await new Promise((res) => setTimeout(res, 5));
    }
    const deadline = Date.now() + 2000;
    while (!r.lastFrame()?.includes('ticks 40') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 10));
    expect(r.lastFrame()).toContain('ticks 40');
    // 40 changes over about 200 ms or more: the first at once, then at most one frame per 100 ms.
    const elapsedFrames = renders - before;
    expect(elapsedFrames).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1);
    expect(elapsedFrames).toBeLessThan(20);
    r.unmount();
  });
});
