import { AUDIT_VIEW_SIZE, createLvsStore, EVENT_RING_SIZE, type LvsState, type LvsStore } from '../store/lvs-store.js';
import type { DirectorIpvs } from '../store/store-types.js';
import type { AttachConnection } from './attach-connection.js';
import { RECORD_SLICES, type StatePatch, type StateSlices } from './state-diff.js';

/** Names two serves both use: a console cannot tell their clusters or hosts apart, so attach refuses. */
export function nameCollisions(connections: readonly Pick<AttachConnection, 'target' | 'hello'>[]): string[] {
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  for (const c of connections) {
    const names = [
      ...c.hello.seed.clusters.map((x) => `cluster ${x.name}`),
      ...c.hello.seed.hosts.map((h) => `host ${h}`),
    ];
    for (const n of names) {
      const first = owner.get(n);
      if (first !== undefined && first !== c.target) clashes.push(`${n} (${first} and ${c.target})`);
      else owner.set(n, c.target);
    }
  }
  return clashes;
}

const byTime = <T extends { readonly at: number }>(a: T, b: T) => a.at - b.at;

/** Merge one serve's full state into the local store (other serves' entries stay). */
export function applyFullState(store: LvsStore, state: StateSlices): void {
  const s = store.getState();
  store.setState({
    hosts: { ...s.hosts, ...state.hosts },
    ipvs: { ...s.ipvs, ...state.ipvs },
    keepalived: { ...s.keepalived, ...state.keepalived },
    replication: { ...s.replication, ...state.replication },
    nfs: { ...s.nfs, ...state.nfs },
    // A serve from before probes has none to send.
    probes: { ...s.probes, ...(state.probes ?? {}) },
    // Nor, before connection sync and drains, these.
    sync: { ...s.sync, ...(state.sync ?? {}) },
    drains: { ...s.drains, ...(state.drains ?? {}) },
    history: { ...s.history, ...state.history },
    events: [...s.events, ...state.events].sort(byTime).slice(-EVENT_RING_SIZE),
    audit: [...s.audit, ...state.audit].sort(byTime).slice(-AUDIT_VIEW_SIZE),
    ...(state.jumpHost ? { jumpHost: state.jumpHost } : {}),
  });
}

/**
 * Apply one patch: changed entries replace theirs (the others keep their identity, so the console redraws only
 * what changed), removed keys go, appended events and audit lines are added. IPVS readings go through setIpvs, so
 * the local store derives rates and history exactly as serve's did from the same two readings.
 */
export function applyPatch(store: LvsStore, patch: StatePatch): void {
  const ipvs = patch.set.ipvs as Readonly<Record<string, DirectorIpvs>> | undefined;
  for (const d of Object.values(ipvs ?? {})) store.getState().setIpvs(d.host, d.reading, d.readAt);
  const s = store.getState();
  const update: Partial<Record<keyof LvsState, unknown>> = {};
  for (const slice of RECORD_SLICES) {
    const set = slice === 'ipvs' ? undefined : (patch.set[slice] as Record<string, unknown> | undefined);
    const del = patch.del[slice];
    if (!set && !del) continue;
    const next: Record<string, unknown> = { ...s[slice], ...set };
    for (const k of del ?? []) delete next[k];
    update[slice] = next;
  }
  const events = patch.set.events as LvsState['events'] | undefined;
  if (events) update.events = [...s.events, ...events].slice(-EVENT_RING_SIZE);
  const audit = patch.set.audit as LvsState['audit'] | undefined;
  if (audit) update.audit = [...s.audit, ...audit].slice(-AUDIT_VIEW_SIZE);
  if ('jumpHost' in patch.set) update.jumpHost = patch.set.jumpHost ?? undefined;
  if (Object.keys(update).length > 0) store.setState(update as Partial<LvsState>);
}

/** One local store for every serve attached to: their clusters side by side, names kept as each serve has them. */
export function createAttachedStore(connections: readonly AttachConnection[]): LvsStore {
  const seeds = connections.map((c) => c.hello.seed);
  const store = createLvsStore({
    clusters: seeds.flatMap((s) => s.clusters),
    hosts: seeds.flatMap((s) => s.hosts),
    pollIntervalMs: Math.min(...seeds.map((s) => s.pollIntervalMs)),
    readOnly: !connections.some((c) => c.hello.allowActions),
  });
  for (const c of connections) applyFullState(store, c.state);
  return store;
}
