import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { LvsState, LvsStore } from '../src/store/lvs-store.js';

export const StoreContext = createContext<LvsStore | undefined>(undefined);

/** Read one slice of the console's store; components never write it except through passed-in callbacks. */
export function useLvs<T>(selector: (state: LvsState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useLvs outside <StoreContext.Provider>');
  return useStore(store, selector);
}
