import type { KeyedRecord, RecordChange } from './record-changes.js';
import type { LvsState } from './lvs-state.js';

/** How a slice reads and writes the state: through the draft, so its writes land together. */
export interface StoreWriter {
  /** The state as the writes so far leave it (the draft while one is open). */
  get(): LvsState;
  /** Whole fields (events, audit, pause): what the operator did or must see lands at once, with any held writes. */
  set(partial: Partial<LvsState>): void;
  /**
   * Set one entry of a keyed record. A draft copies each record once and writes into its copy: a host poll that
   * touches one host costs one copy of the fleet's record, not one per part, and with a commit window one copy per
   * window, not per poll. The keys written go out with the state.
   */
  writeEntry<K extends KeyedRecord>(record: K, key: string, value: LvsState[K][string]): void;
  /** Run updates as one: subscribers see a single change with all of them. */
  batch(fn: () => void): void;
  /** Land the draft now. */
  flush(): void;
}

/**
 * Writes gather in a draft that subscribers see land as one change (one frame, one event diff): at the end of a
 * batch (a host poll, however many parts it updated), and with a commit window at most once per window (see
 * `StoreSeed.commitWindowMs`).
 */
export function createCommitWindow(
  rawSet: (next: LvsState) => void,
  rawGet: () => LvsState,
  windowMs: number,
): StoreWriter {
  let draft: LvsState | undefined;
  let depth = 0;
  // The keyed records the draft holds its own copies of (written in place until the draft lands), with the record
  // each copy was made from and the keys written since.
  let drafted = new Map<KeyedRecord, { from: object; keys: Set<string> }>();
  let lastCommitAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const get = (): LvsState => draft ?? rawGet();
  const commit = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!draft || depth > 0) return;
    const changes: Partial<Record<KeyedRecord, RecordChange>> = {};
    for (const [record, d] of drafted) changes[record] = { from: d.from, to: draft[record], keys: [...d.keys] };
    const next = { ...draft, changes };
    draft = undefined;
    drafted = new Map();
    lastCommitAt = Date.now();
    rawSet(next);
  };
  /** Land the draft now, or at the end of the window that began with the last commit. */
  const settle = () => {
    if (depth > 0 || !draft) return;
    const wait = lastCommitAt + windowMs - Date.now();
    if (wait <= 0) commit();
    else if (timer === undefined) {
      timer = setTimeout(commit, wait);
      timer.unref?.();
    }
  };
  return {
    get,
    set: (partial) => {
      draft = { ...get(), ...partial };
      for (const k in partial) drafted.delete(k as KeyedRecord);
      commit();
    },
    writeEntry: (record, key, value) => {
      let d = drafted.get(record);
      if (!d) {
        const from = get()[record];
        draft = { ...get(), [record]: { ...from } };
        drafted.set(record, (d = { from, keys: new Set() }));
      }
      (draft![record] as Record<string, unknown>)[key] = value;
      d.keys.add(key);
      settle();
    },
    batch: (fn) => {
      depth += 1;
      try {
        fn();
      } finally {
        depth -= 1;
        settle();
      }
    },
    flush: commit,
  };
}
