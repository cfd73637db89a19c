import { createStore } from 'zustand/vanilla';
import { createCommitWindow } from './commit-window.js';
import { consoleSlice } from './console-slice.js';
import { drainSlice } from './drain-slice.js';
import { hostsSlice } from './hosts-slice.js';
import { ipvsSlice } from './ipvs-slice.js';
import { keepalivedSlice } from './keepalived-slice.js';
import type { LvsData, LvsState, LvsStore, StoreSeed } from './lvs-state.js';
import { nfsSlice } from './nfs-slice.js';
import { replicationSlice } from './replication-slice.js';
import { syncSlice } from './sync-slice.js';

export { AUDIT_VIEW_SIZE, EVENT_RING_SIZE, HISTORY_POINTS } from './lvs-state.js';
export type { LvsState, LvsStore, PollPartRef, PollProgress, StoreSeed } from './lvs-state.js';

/** The state before the first poll: every configured host connecting, every pair and mount known but unread. */
function initialData(seed: StoreSeed): LvsData {
  return {
    clusters: seed.clusters,
    hosts: Object.fromEntries(seed.hosts.map((name) => [name, { name, status: 'connecting', skippedTicks: 0 }])),
    ipvs: {},
    keepalived: {},
    probes: {},
    replication: Object.fromEntries(seed.clusters.flatMap((c) => c.replication.map((r) => [r.id, { id: r.id }]))),
    nfs: Object.fromEntries(
      seed.clusters.flatMap((c) =>
        c.nfs.map((m) => [m.id, { id: m.id, host: m.host, mountpoint: m.mountpoint, probeRunning: false }]),
      ),
    ),
    nfsExports: {},
    sync: {},
    drains: {},
    events: [],
    history: {},
    audit: [],
    pollIntervalMs: seed.pollIntervalMs,
    readOnly: seed.readOnly,
    paused: false,
    connectionsWatched: [],
  };
}

/**
 * The store: the seed's initial state and one slice of actions per part of the fleet, all writing through one
 * commit window so a poll's writes land as one change.
 */
export function createLvsStore(seed: StoreSeed): LvsStore {
  return createStore<LvsState>()((rawSet, rawGet) => {
    const w = createCommitWindow(rawSet, rawGet, seed.commitWindowMs ?? 0);
    return {
      ...initialData(seed),
      ...hostsSlice(w),
      ...ipvsSlice(w),
      ...keepalivedSlice(w),
      ...replicationSlice(w),
      ...nfsSlice(w, seed.clusters),
      ...syncSlice(w),
      ...drainSlice(w),
      ...consoleSlice(w),
      batch: w.batch,
      flush: w.flush,
    };
  });
}
