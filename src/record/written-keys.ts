import { RECORD_SLICES } from '../serve/state-diff.js';
import type { LvsState, LvsStore } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';

export type RecordSlice = (typeof RECORD_SLICES)[number];

/**
 * The keys of each record slice written since the last `take`, gathered from every store change as it lands (the
 * store notes the keys a write touched): a patch then looks at the hosts that were polled, not at the whole fleet.
 */
export class WrittenKeys {
  private keys = new Map<RecordSlice, Set<string>>();
  private unsubscribe: (() => void) | undefined;

  follow(store: LvsStore): void {
    this.unsubscribe?.();
    this.keys.clear();
    this.unsubscribe = store.subscribe((next, prev) => this.note(next, prev));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get following(): boolean {
    return this.unsubscribe !== undefined;
  }

  private note(next: LvsState, prev: LvsState): void {
    for (const slice of RECORD_SLICES) {
      if (next[slice] === prev[slice]) continue;
      let set = this.keys.get(slice);
      if (!set) this.keys.set(slice, (set = new Set()));
      for (const k of changedKeys<unknown>(prev[slice], next[slice], next.changes?.[slice])) set.add(k);
    }
  }

  /** The keys written per slice since the last take (undefined when not following a store), and start again. */
  take(): ReadonlyMap<RecordSlice, ReadonlySet<string>> | undefined {
    if (!this.following) return undefined;
    const keys = this.keys;
    this.keys = new Map();
    return keys;
  }
}
