/** The per-key records of the state: one entry per host, director, pair or mount. */
export type KeyedRecord =
  'hosts' | 'ipvs' | 'keepalived' | 'replication' | 'nfs' | 'history' | 'probes' | 'sync' | 'drains';

/** One write's effect on a keyed record: which keys changed between the object `from` and the object `to`. */
export interface RecordChange {
  readonly from: object;
  readonly to: object;
  readonly keys: readonly string[];
}

/** What the store's last write changed, record by record. */
export type StateChanges = Readonly<Partial<Record<KeyedRecord, RecordChange>>>;

/**
 * The keys whose entries differ between `prev` and `next`. The store's note of its last write is used when it
 * describes exactly this step (its `from` is `prev` and its `to` is `next`): a poll then costs the keys it wrote,
 * not a walk over the whole fleet. Any other pair of records (a state built elsewhere, two writes apart) is compared
 * key by key.
 */
export function changedKeys<V>(
  prev: Readonly<Record<string, V>>,
  next: Readonly<Record<string, V>>,
  change: RecordChange | undefined,
): readonly string[] {
  if (prev === next) return [];
  if (change && change.from === prev && change.to === next) return change.keys;
  const out: string[] = [];
  for (const k in next) if (prev[k] !== next[k]) out.push(k);
  for (const k in prev) if (!Object.hasOwn(next, k)) out.push(k);
  return out;
}
