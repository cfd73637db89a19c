import { HOST_SECTIONS, interpretHostInfo } from '../../collectors/host-info.js';
import { interpretIpvs, IPVS_SECTIONS } from '../../collectors/ipvs-collector.js';
import { keepalivedSections, parseSignums, type KeepalivedSignums } from '../../collectors/keepalived-dump-script.js';
import { interpretKeepalived } from '../../collectors/keepalived.js';
import { interpretNetState, NET_SECTIONS } from '../../collectors/net-state.js';
import { interpretNfsMounts, NFS_SECTIONS } from '../../collectors/nfs.js';
import { interpretNfsExports, NFS_EXPORT_SECTIONS } from '../../collectors/nfs-exports.js';
import { interpretReplicationSide, replicationSections } from '../../collectors/replication.js';
import type { Section, SectionOutput } from '../../collectors/section.js';
import type { Config } from '../config/config-schema.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo, PaneKind } from '../store/store-types.js';

/** One part of a host's poll: the pane it feeds, its sections, and how its outputs land in the store. */
export interface PollPart {
  /** Unique per host: `ipvs`, `keepalived`, `replication:<pair>:<side>`... */
  readonly id: string;
  /** The pane this part feeds; a late or failed part marks that pane, never the whole host. */
  readonly pane: PaneKind;
  sections(): readonly Section[];
  apply(outputs: ReadonlyMap<string, SectionOutput>, state: LvsState, readAt: number): void;
}

/** What one host's poll runs (all in one exec, as parts), and how each part lands in the store. */
export interface HostPlan {
  readonly parts: readonly PollPart[];
  /** The sections of the next poll (they may depend on what earlier polls learnt). */
  sections(): readonly Section[];
  apply(outputs: ReadonlyMap<string, SectionOutput>, state: LvsState, readAt: number): void;
}

type Part = PollPart;

export const RSYNC_DRY_RUN_MS = 10_000;
export const MODULES_READ_MS = 10_000;

/** MemTotal, MemFree and MemAvailable are the first three lines of /proc/meminfo: the rest is not read. */
const HOST_FILES = HOST_SECTIONS.map((s) => (s.id === 'meminfo' ? { ...s, maxLines: 3 } : s));
/** The host's clock is read this often (one `date` process), for the clock-skew doctor check. */
export const CLOCK_READ_MS = 60_000;
export const KEEPALIVED_DATA_MS = 5_000;
/** An NFS server's exports and their owners are read this often. */
export const NFS_EXPORTS_READ_MS = 15_000;

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

export function planHost(config: Config, host: string): HostPlan {
  // /proc/modules is the biggest file a poll reads (shell builtins read it a byte at a time) and modules seldom
  // change: it is read every MODULES_READ_MS, and the polls between keep what it said.
  let lastModulesRead = 0;
  const parts: Part[] = [
    {
      id: 'host',
      pane: 'host',
      sections: () => {
        const due = Date.now() - lastModulesRead >= MODULES_READ_MS;
        if (due) lastModulesRead = Date.now();
        return [...HOST_FILES, ...(due ? NET_SECTIONS : NET_SECTIONS.filter((x) => x.id !== 'modules'))];
      },
      apply: (out, state, at) => {
        const info = interpretHostInfo(out);
        if (info.ok) state.setHostInfo(host, info.value);
        const net = interpretNetState(out);
        const prev = state.hosts[host]?.net;
        if (net.ok)
          state.setNet(
            host,
            out.has('modules') || !prev
              ? net.value
              : { ...net.value, ipvsLoaded: prev.ipvsLoaded, loadedSchedulers: prev.loadedSchedulers },
            at,
          );
        if (!out.get('modules') && !prev) lastModulesRead = 0;
      },
    },
  ];
  let lastClockRead = 0;
  parts.push({
    id: 'clock',
    pane: 'host',
    sections: () => {
      if (Date.now() - lastClockRead < CLOCK_READ_MS) return [];
      lastClockRead = Date.now();
      return [{ id: 'clock', argv: ['date', '+%s.%N'] }];
    },
    apply: (out, state, at) => {
      const o = out.get('clock');
      const t = o?.exitCode === 0 ? Number(o.stdout.trim()) : NaN;
      // `at` is when the answer arrived, so the skew is off by at most the time the answer took to come back.
      if (Number.isFinite(t) && t > 0) state.setClockSkew(host, Math.round(t * 1000 - at));
    },
  });
  const directors = config.clusters.flatMap((c) => c.directors).filter((d) => d.host === host);
  if (directors.length > 0) {
    // /proc/net/ip_vs is only the fallback when ipvsadm fails: read it only while ipvsadm is not working.
    let ipvsadmWorks = false;
    parts.push({
      id: 'ipvs',
      pane: 'ipvs',
      sections: () => (ipvsadmWorks ? IPVS_SECTIONS.filter((x) => x.id !== 'ipvs-proc') : IPVS_SECTIONS),
      apply: (out, state, at) => {
        const reading = interpretIpvs(out);
        ipvsadmWorks = reading.status === 'ok' && reading.source === 'ipvsadm';
        state.setIpvs(host, reading, at);
      },
    });
  }
  const ka = directors.find((d) => d.keepalived)?.keepalived;
  if (ka) {
    let signums: KeepalivedSignums | undefined;
    // The data dump (track files) is big and slow to write: every KEEPALIVED_DATA_MS; the JSON every poll.
    let lastData = 0;
    parts.push({
      id: 'keepalived',
      pane: 'keepalived',
      sections: () => {
        const due = Date.now() - lastData >= KEEPALIVED_DATA_MS;
        if (due) lastData = Date.now();
        return keepalivedSections(ka.pidFile, ka.notifyLog, signums, !due);
      },
      apply: (out, state, at) => {
        signums = parseSignums(out.get('keepalived')?.stderr ?? '') ?? signums;
        const reading = interpretKeepalived(out);
        const prev = state.keepalived[host]?.reading;
        if (reading.status === 'ok' && reading.partial && prev?.status === 'ok') {
          const names = new Map(prev.instances.map((i) => [i.name, i.trackFiles]));
          const instances = reading.instances.map((i) => ({ ...i, trackFiles: names.get(i.name) ?? [] }));
          const checkers = prev.checkers ? { checkers: prev.checkers } : {};
          state.setKeepalived(
            host,
            { ...reading, instances, trackFiles: prev.trackFiles, ...checkers, partial: false },
            at,
          );
        } else state.setKeepalived(host, reading, at);
        if (reading.status !== 'ok') lastData = 0;
      },
    });
  }
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
        let lastDryRun = 0;
        parts.push({
          id: `replication:${id}:${side}`,
          pane: 'replication',
          sections: () => {
            const due = Date.now() - lastDryRun >= RSYNC_DRY_RUN_MS;
            if (due) lastDryRun = Date.now();
            return due ? sections : sections.filter((x) => !x.id.startsWith('rsync-dry-'));
          },
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
  if (config.clusters.some((c) => c.nfs.some((m) => m.host === host))) {
    parts.push({
      id: 'nfs',
      pane: 'nfs',
      sections: () => NFS_SECTIONS,
      apply: (out, state, at) => {
        const r = interpretNfsMounts(out);
        if (r.ok) state.setNfsMounts(host, r.value, at);
      },
    });
  }
  if (config.clusters.some((c) => c.nfs.some((m) => m.server === host))) {
    let lastExportsRead = 0;
    parts.push({
      id: 'nfs-exports',
      pane: 'nfs',
      sections: () => {
        if (Date.now() - lastExportsRead < NFS_EXPORTS_READ_MS) return [];
        lastExportsRead = Date.now();
        return NFS_EXPORT_SECTIONS;
      },
      apply: (out, state, at) => {
        if (!out.has('nfs-etab')) return;
        const r = interpretNfsExports(out);
        state.setNfsExports(
          host,
          r.ok ? { host, readAt: at, reading: r.value } : { host, readAt: at, error: r.error.message },
        );
      },
    });
  }
  return {
    parts,
    sections: () => parts.flatMap((p) => p.sections()),
    apply: (out, state, at) => parts.forEach((p) => p.apply(out, state, at)),
  };
}
