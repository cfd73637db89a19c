import { interpretReplicationSide, replicationSections } from '../../collectors/replication.js';
import type { Section, SectionOutput } from '../../collectors/section.js';
import type { Config } from '../config/config-schema.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import {
  clockPart,
  costPart,
  every,
  ipvsPart,
  nfsExportsPart,
  nfsPart,
  syncPart,
  type PollPart,
} from './poll-parts.js';
import { keepalivedPart } from './keepalived-part.js';
import { hostPart } from './host-part.js';

export type { PollPart } from './poll-parts.js';
export { CLOCK_READ_MS, KEEPALIVED_DATA_MS, NFS_EXPORTS_READ_MS } from './poll-parts.js';
export { MODULES_READ_MS } from './host-part.js';

/** What one host's poll runs (all in one exec, as parts), and how each part lands in the store. */
export interface HostPlan {
  readonly parts: readonly PollPart[];
  /** The sections of the next poll (they may depend on what earlier polls learnt). */
  sections(): readonly Section[];
  apply(outputs: ReadonlyMap<string, SectionOutput>, state: LvsState, readAt: number): void;
}

export const RSYNC_DRY_RUN_MS = 10_000;

export const replicationId = (cluster: string, name: string) => `${cluster}/${name}`;
export const nfsMountId = (host: string, mountpoint: string) => `${host}:${mountpoint}`;

export function clusterInfos(config: Config): ClusterInfo[] {
  return config.clusters.map((c) => ({
    name: c.name,
    mode: c.mode,
    healthProbes: c.healthProbes,
    directors: c.directors.map((d) => d.host),
    realServers: c.realServers,
    vips: c.vips,
    keepalived: Object.fromEntries(
      c.directors.flatMap((d) => (d.keepalived ? [[d.host, d.keepalived.instances]] : [])),
    ),
    dips: Object.fromEntries(c.directors.flatMap((d) => (d.dip ? [[d.host, d.dip]] : []))),
    replication: c.replication.map((r) => ({
      id: replicationId(c.name, r.name),
      name: r.name,
      source: r.source.host,
      replica: r.replica.host,
      warnSeconds: r.warnSeconds,
      criticalSeconds: r.criticalSeconds,
      ...(r.pusher ? { pusher: r.pusher } : {}),
      ...(r.rsyncTarget ? { rsyncTarget: r.rsyncTarget } : {}),
    })),
    nfs: c.nfs.map((m) => ({
      id: nfsMountId(m.host, m.mountpoint),
      host: m.host,
      mountpoint: m.mountpoint,
      slowMs: m.slowMs,
      ...(m.export ? { export: m.export } : {}),
      writePath: m.writePath ?? m.mountpoint,
      ...(m.writeAs ? { writeAs: m.writeAs } : {}),
      ...(m.server ? { server: m.server } : {}),
    })),
  }));
}

/**
 * The replication sides this host holds: the heartbeat and the pusher, one part each, every poll; and apart, where
 * the source names an rsync target, the dry run (it walks the whole tree and talks to the daemon, so every
 * RSYNC_DRY_RUN_MS and last in the poll: the lag must not wait for it, nor go stale while it runs).
 */
function replicationParts(config: Config, host: string): { parts: PollPart[]; dryRuns: PollPart[] } {
  const parts: PollPart[] = [];
  const dryRuns: PollPart[] = [];
  for (const c of config.clusters) {
    for (const r of c.replication) {
      const id = replicationId(c.name, r.name);
      for (const side of ['source', 'replica'] as const) {
        if (r[side].host !== host) continue;
        const key = id.replace(/[^A-Za-z0-9_.-]/g, '_');
        const sections = replicationSections(key, side, {
          path: r[side].path,
          heartbeatFile: r.heartbeatFile,
          ...(r.rsyncTarget ? { rsyncTarget: r.rsyncTarget } : {}),
          ...(r.pusher ? { pusher: r.pusher } : {}),
        });
        const dry = sections.filter((x) => x.id === `rsync-dry-${key}`);
        const base = sections.filter((x) => !dry.includes(x));
        parts.push({
          id: `replication:${id}:${side}`,
          pane: 'replication',
          sections: () => base,
          apply: (out, state, at) => {
            const prev = state.replication[id]?.[side];
            const carried = {
              ...(prev?.rsync ? { rsync: prev.rsync } : {}),
              ...(prev?.rsyncError ? { rsyncError: prev.rsyncError } : {}),
            };
            state.setReplicationSide(id, side, { ...interpretReplicationSide(key, side, out), ...carried }, at);
          },
        });
        if (dry.length > 0) dryRuns.push(rsyncDryRunPart(id, key, side, dry));
      }
    }
  }
  return { parts, dryRuns };
}

/** One side's rsync dry run: what it would still transfer, beside the side's last heartbeat reading (its time kept). */
function rsyncDryRunPart(id: string, key: string, side: 'source' | 'replica', dry: readonly Section[]): PollPart {
  const dryRun = every(RSYNC_DRY_RUN_MS);
  return {
    id: `replication:${id}:${side}:rsync`,
    pane: 'replication',
    sections: () => (dryRun.due() ? dry : []),
    // A dry run on a busy source can take a few seconds (the daemon forks a child to compare the tree): its reading
    // is RSYNC_DRY_RUN_MS old between runs anyway, so it is late only when it holds the poll for three intervals.
    lateAfterIntervals: 3,
    apply: (out, state) => {
      const prev = state.replication[id]?.[side];
      if (!out.has(`rsync-dry-${key}`) || !prev) return;
      const { rsync, rsyncError } = interpretReplicationSide(key, side, out);
      const { rsync: _r, rsyncError: _e, readAt, ...rest } = prev;
      state.setReplicationSide(
        id,
        side,
        { ...rest, ...(rsync ? { rsync } : {}), ...(rsyncError ? { rsyncError } : {}) },
        readAt,
      );
    },
  };
}

export function planHost(config: Config, host: string): HostPlan {
  const parts: PollPart[] = [hostPart(host), clockPart(host)];
  const directors = config.clusters.flatMap((c) => c.directors).filter((d) => d.host === host);
  if (directors.length > 0) parts.push(ipvsPart(host));
  const ka = directors.find((d) => d.keepalived)?.keepalived;
  if (ka) parts.push(keepalivedPart(host, ka));
  const replication = replicationParts(config, host);
  parts.push(...replication.parts);
  if (config.clusters.some((c) => c.nfs.some((m) => m.host === host))) parts.push(nfsPart(host));
  if (config.clusters.some((c) => c.nfs.some((m) => m.server === host))) parts.push(nfsExportsPart(host));
  // Connection sync matters only where a peer director would take over: a lone director's poll is spared the reads.
  // Last: on a big table the count takes a while, and the parts after it would wait for it.
  const paired = config.clusters.some((c) => c.directors.length > 1 && c.directors.some((d) => d.host === host));
  if (paired) parts.push(syncPart(host));
  parts.push(...replication.dryRuns);
  // What the poll cost the director, after everything it ran: the real-server probes are kept to a share of it.
  if (directors.length > 0) parts.push(costPart(host));
  return {
    parts,
    sections: () => parts.flatMap((p) => p.sections()),
    apply: (out, state, at) => parts.forEach((p) => p.apply(out, state, at)),
  };
}
