import { useContext, useEffect, useState } from 'react';
import type { LvsState } from '../src/store/lvs-store.js';
import { StoreContext } from './store-context.js';

/** At most this many data frames a second: 300 hosts polled every 2 s are 150 store changes a second. */
export const DATA_FRAMES_PER_SECOND = 10;

/**
 * Ink's own frame cap (its `maxFps`). Data frames are already coalesced here, so Ink's throttle would only hold a
 * keypress back behind the frame before it: at 60 fps a key just after a data frame waited up to 16 ms for its turn.
 */
export const INK_MAX_FPS = 500;

/**
 * The store's state for drawing, coalesced: the first change after a quiet spell shows at once (on the next tick),
 * later ones at most every 1000 / DATA_FRAMES_PER_SECOND ms with the newest state. Keys re-render at once: they change
 * the console's own state, not this.
 */
export function useStoreFrames(framesPerSecond = DATA_FRAMES_PER_SECOND): LvsState {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStoreFrames outside <StoreContext.Provider>');
  const [state, setState] = useState(store.getState());
  useEffect(() => {
    const interval = 1000 / framesPerSecond;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const show = () => {
      timer = undefined;
      last = Date.now();
      setState(store.getState());
    };
    // A change between the first render and this effect is not lost.
    if (store.getState() !== state) show();
    const unsubscribe = store.subscribe(() => {
      timer ??= setTimeout(show, Math.max(0, last + interval - Date.now()));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- subscribe once per store
  }, [store, framesPerSecond]);
  return state;
}
