import type { LvsState } from '../store/lvs-store.js';

/**
 * The parts of the store a serve shares: keyed records are diffed per key, lists send what was appended, values go
 * whole. `history` goes with the full state only: a viewer's store extends it from each IPVS reading it is sent,
 * exactly as serve's does (setIpvs), instead of receiving every real server's 60 points on every poll.
 */
export const RECORD_SLICES = ['hosts', 'ipvs', 'keepalived', 'replication', 'nfs', 'probes', 'sync', 'drains'] as const;
export const LIST_SLICES = ['events', 'audit'] as const;
export const VALUE_SLICES = ['jumpHost'] as const;

export type StateSlices = Pick<
  LvsState,
  (typeof RECORD_SLICES)[number] | (typeof LIST_SLICES)[number] | (typeof VALUE_SLICES)[number] | 'history'
>;

export interface StatePatch {
  /** Per record slice: the entries that changed (by identity); per list slice: the entries appended; values whole. */
  readonly set: Partial<Record<keyof StateSlices, unknown>>;
  readonly del: Partial<Record<keyof StateSlices, readonly string[]>>;
}

export function stateSlices(s: LvsState): StateSlices {
  return {
    hosts: s.hosts,
    ipvs: s.ipvs,
    keepalived: s.keepalived,
    replication: s.replication,
    nfs: s.nfs,
    probes: s.probes,
    sync: s.sync,
    drains: s.drains,
    history: s.history,
    events: s.events,
    audit: s.audit,
    ...(s.jumpHost ? { jumpHost: s.jumpHost } : {}),
  };
}

function diffRecord(prev: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>) {
  const set: Record<string, unknown> = {};
  const del: string[] = [];
  // The store shares structure: an entry that did not change is the same object, so identity is the whole test.
  for (const [k, v] of Object.entries(next)) if (prev[k] !== v) set[k] = v;
  for (const k of Object.keys(prev)) if (!(k in next)) del.push(k);
  return { set, del };
}

/** Entries of `next` that `prev` did not hold (lists only grow at the end; the ring drops from the front). */
function appended<T>(prev: readonly T[], next: readonly T[]): T[] {
  const seen = new Set(prev);
  return next.filter((e) => !seen.has(e));
}

/** What changed between two states, or undefined when nothing a viewer sees did. */
export function diffState(prev: StateSlices, next: StateSlices): StatePatch | undefined {
  const set: Record<string, unknown> = {};
  const del: Record<string, readonly string[]> = {};
  let changed = false;
  for (const slice of RECORD_SLICES) {
    if (prev[slice] === next[slice]) continue;
    const d = diffRecord(prev[slice], next[slice]);
    if (Object.keys(d.set).length > 0) {
      set[slice] = d.set;
      changed = true;
    }
    if (d.del.length > 0) {
      del[slice] = d.del;
      changed = true;
    }
  }
  for (const slice of LIST_SLICES) {
    if (prev[slice] === next[slice]) continue;
    const added = appended<unknown>(prev[slice], next[slice]);
    if (added.length > 0) {
      set[slice] = added;
      changed = true;
    }
  }
  for (const slice of VALUE_SLICES) {
    if (prev[slice] !== next[slice]) {
      set[slice] = next[slice] ?? null;
      changed = true;
    }
  }
  return changed ? { set, del } : undefined;
}
