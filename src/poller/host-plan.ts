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
  keepalivedPart,
  nfsExportsPart,
  nfsPart,
  syncPart,
  type PollPart,
} from './poll-parts.js';
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

/** The replication sides this host holds, one part each. */
function replicationParts(config: Config, host: string): PollPart[] {
  const parts: PollPart[] = [];
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
        // The rsync dry run walks the whole tree and talks to the daemon: every RSYNC_DRY_RUN_MS, not every poll.
        const dryRun = every(RSYNC_DRY_RUN_MS);
        parts.push({
          id: `replication:${id}:${side}`,
          pane: 'replication',
          sections: () => (dryRun.due() ? sections : sections.filter((x) => !x.id.startsWith('rsync-dry-'))),
          apply: (out, state, at) => {
            const reading = interpretReplicationSide(key, side, out);
            const prev = state.replication[id]?.[side];
            const carried =
              out.has(`rsync-dry-${key}`) || !prev
                ? {}
                : {
                    ...(prev.rsync ? { rsync: prev.rsync } : {}),
                    ...(prev.rsyncError ? { rsyncError: prev.rsyncError } : {}),
                  };
            state.setReplicationSide(id, side, { ...reading, ...carried }, at);
          },
        });
      }
    }
  }
  return parts;
}

export function planHost(config: Config, host: string): HostPlan {
  const parts: PollPart[] = [hostPart(host), clockPart(host)];
  const directors = config.clusters.flatMap((c) => c.directors).filter((d) => d.host === host);
  if (directors.length > 0) parts.push(ipvsPart(host));
  const ka = directors.find((d) => d.keepalived)?.keepalived;
  if (ka) parts.push(keepalivedPart(host, ka));
  parts.push(...replicationParts(config, host));
  if (config.clusters.some((c) => c.nfs.some((m) => m.host === host))) parts.push(nfsPart(host));
  if (config.clusters.some((c) => c.nfs.some((m) => m.server === host))) parts.push(nfsExportsPart(host));
  // Connection sync matters only where a peer director would take over: a lone director's poll is spared the reads.
  // Last: on a big table the count takes a while, and the parts after it would wait for it.
  const paired = config.clusters.some((c) => c.directors.length > 1 && c.directors.some((d) => d.host === host));
  if (paired) parts.push(syncPart(host));
  // What the poll cost the director, after everything it ran: the real-server probes are kept to a share of it.
  if (directors.length > 0) parts.push(costPart(host));
  return {
    parts,
    sections: () => parts.flatMap((p) => p.sections()),
    apply: (out, state, at) => parts.forEach((p) => p.apply(out, state, at)),
  };
}
