import { createContext } from 'react';
import type { LvsStore } from '../src/store/lvs-store.js';

/**
 * The console's store. Components read it only through useStoreFrames, which coalesces polls into at most ten data
 * frames a second, and write it only through passed-in callbacks: a component subscribed to the store itself would
 * redraw the whole screen on every host poll (150 a second at 300 hosts).
 */
export const StoreContext = createContext<LvsStore | undefined>(undefined);
