import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';

export type Level = 'ok' | 'warn' | 'critical' | 'unknown';

export interface ReplicationRow {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly replica: string;
  /** Source heartbeat minus replica heartbeat, seconds (both written by the source's clock). */
  readonly lagSeconds?: number;
  readonly level: Level;
  readonly pendingChanges?: number;
  readonly pusherRunning?: boolean;
  readonly problems: readonly string[];
}

export function replicationRows(state: LvsState, cluster: ClusterInfo): ReplicationRow[] {
  return cluster.replication.map((r) => {
    const s = state.replication[r.id];
    const problems: string[] = [];
    // A side whose host is down (or whose part of the poll failed) has no current heartbeat: the lag is unknown,
    // never the last value read.
    const unreachable = (['source', 'replica'] as const).flatMap((side) => {
      const host = side === 'source' ? r.source : r.replica;
      const rt = state.hosts[host];
      if (rt?.status === 'down')
        return [`${side} ${host} down: ${rt.error?.kind ?? 'error'}: ${rt.error?.message ?? ''}`];
      const part = rt?.parts?.[`replication:${r.id}:${side}`];
      if (part?.error) return [`${side} ${host}: ${part.error}`];
      return [];
    });
    if (unreachable.length > 0)
      return {
        id: r.id,
        name: r.name,
        source: r.source,
        replica: r.replica,
        level: 'unknown' as const,
        problems: unreachable,
      };
    if (s?.source?.heartbeatError) problems.push(`source heartbeat: ${s.source.heartbeatError}`);
    if (s?.replica?.heartbeatError) problems.push(`replica heartbeat: ${s.replica.heartbeatError}`);
    if (s?.source?.rsyncError) problems.push(`rsync: ${s.source.rsyncError}`);
    if (s?.source?.pusherRunning === false) problems.push(`pusher ${r.pusher ?? ''} not running on ${r.source}`);
    const src = s?.source?.heartbeat;
    const rep = s?.replica?.heartbeat;
    const lagSeconds =
      src !== undefined && rep !== undefined ? Math.max(0, Math.round((src - rep) * 10) / 10) : undefined;
    let level: Level =
      lagSeconds === undefined
        ? 'unknown'
        : lagSeconds >= r.criticalSeconds
          ? 'critical'
          : lagSeconds >= r.warnSeconds
            ? 'warn'
            : 'ok';
    if (level === 'ok' && problems.length > 0) level = 'warn';
    return {
      id: r.id,
      name: r.name,
      source: r.source,
      replica: r.replica,
      ...(lagSeconds === undefined ? {} : { lagSeconds }),
      level,
      ...(s?.source?.rsync ? { pendingChanges: s.source.rsync.pendingChanges } : {}),
      ...(s?.source?.pusherRunning === undefined ? {} : { pusherRunning: s.source.pusherRunning }),
      problems,
    };
  });
}
