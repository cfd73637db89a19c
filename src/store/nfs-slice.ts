import { judgeNfsMount, type NfsMountsReading } from '../../collectors/nfs.js';
import type { StoreWriter } from './commit-window.js';
import type { LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';
import type { ClusterInfo, HostError, NfsMountState } from './store-types.js';

type NfsActions = Pick<
  LvsState,
  'setNfsMounts' | 'nfsProbeStarted' | 'setNfsProbe' | 'nfsProbeFailed' | 'setNfsWrite' | 'setNfsExports'
>;

/** Nothing is known of a down host's mounts: they are UNKNOWN with the reason, never HUNG or OK from before. */
export function markMountsOfDownHost(w: StoreWriter, host: string, error: HostError): void {
  const reason = `host ${host} down: ${error.kind}: ${error.message}`;
  for (const m of Object.values(w.get().nfs))
    if (m.host === host && m.reason !== reason) w.writeEntry('nfs', m.id, { ...m, health: 'UNKNOWN', reason });
}

/** Counter deltas between the mount's last read and this one (none across a counter reset). */
function counterDelta(prevC: NfsMountState['counters'], counters: NfsMountState['counters']) {
  if (!counters || !prevC || !(counters.ops >= prevC.ops)) return undefined;
  return {
    ops: counters.ops - prevC.ops,
    transmissions: counters.transmissions - prevC.transmissions,
    majorTimeouts: counters.majorTimeouts - prevC.majorTimeouts,
    rttMs: counters.rttMs - prevC.rttMs,
    executeMs: counters.executeMs - prevC.executeMs,
  };
}

/** One configured mount after its host's mount table and counters were read. */
function mountAfterRead(m: NfsMountState, reading: NfsMountsReading, readAt: number, slowMs: number): NfsMountState {
  const entry = reading.mounts.find((e) => e.mountpoint === m.mountpoint);
  const counters = reading.stats.get(m.mountpoint);
  const delta = counterDelta(m.counters, counters);
  const verdict = judgeNfsMount(entry !== undefined, m.probe, slowMs);
  const { entry: _e, counters: _c, delta: _d, ...rest } = m;
  return shareStructure(m, {
    ...rest,
    ...(entry ? { entry } : {}),
    ...(counters ? { counters } : {}),
    ...(delta ? { delta } : {}),
    mountedReadAt: readAt,
    health: verdict.health,
    reason: verdict.reason,
  });
}

/** The configured NFS mounts (table, counters, probes, write checks) and the servers' exports. */
export function nfsSlice(w: StoreWriter, clusters: readonly ClusterInfo[]): NfsActions {
  // The configured mounts never change: their "slow" thresholds are looked up once, not on every poll.
  const slowMs = new Map(clusters.flatMap((c) => c.nfs.map((n) => [n.id, n.slowMs] as const)));
  const slowMsOf = (id: string) => slowMs.get(id) ?? 500;
  return {
    setNfsMounts: (host, reading, readAt) => {
      for (const m of Object.values(w.get().nfs)) {
        if (m.host !== host) continue;
        const next = mountAfterRead(m, reading, readAt, slowMsOf(m.id));
        if (next !== m) w.writeEntry('nfs', m.id, next);
      }
    },
    nfsProbeStarted: (mountId) => {
      const m = w.get().nfs[mountId];
      if (m && !m.probeRunning) w.writeEntry('nfs', mountId, { ...m, probeRunning: true });
    },
    setNfsProbe: (mountId, probe, at) => {
      const m = w.get().nfs[mountId];
      if (!m) return;
      const verdict = judgeNfsMount(m.entry !== undefined || m.mountedReadAt === undefined, probe, slowMsOf(mountId));
      w.writeEntry('nfs', mountId, {
        ...m,
        probe,
        probedAt: at,
        probeRunning: false,
        health: verdict.health,
        reason: verdict.reason,
      });
    },
    nfsProbeFailed: (mountId, reason) => {
      const m = w.get().nfs[mountId];
      if (!m) return;
      // `probedAt` stays the last probe that ran: a failure to reach the host is not a reading of the mount.
      w.writeEntry('nfs', mountId, { ...m, probeRunning: false, health: 'UNKNOWN', reason });
    },
    setNfsWrite: (mountId, check) => {
      const m = w.get().nfs[mountId];
      if (m)
        w.writeEntry(
          'nfs',
          mountId,
          shareStructure(m, { ...m, write: check, ...(check.ok !== null ? { writeSettled: check } : {}) }),
        );
    },
    setNfsExports: (host, exports) => {
      const prev = w.get().nfsExports[host];
      const next = prev ? shareStructure(prev, exports) : exports;
      if (next !== prev) w.set({ nfsExports: { ...w.get().nfsExports, [host]: next } });
    },
  };
}
