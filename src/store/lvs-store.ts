import { createStore, type StoreApi } from 'zustand/vanilla';
import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import { tableRates } from '../../collectors/ipvs-rates.js';
import type { HostInfo } from '../../collectors/host-info.js';
import { shareStructure } from './structural-sharing.js';
import type { KeepalivedReading } from '../../collectors/keepalived.js';
import type { NetState } from '../../collectors/net-state.js';
import { judgeNfsMount, type NfsMountsReading, type NfsProbeResult } from '../../collectors/nfs.js';
import type { ReplicationSide } from '../../collectors/replication.js';
import type {
  ClusterInfo,
  DirectorIpvs,
  AuditView,
  DirectorKeepalived,
  JumpHostStats,
  RateHistory,
  HostError,
  HostRuntime,
  LvsEvent,
  NfsMountState,
  PaneKind,
  PartStatus,
  ReplicationPairState,
} from './store-types.js';

export const EVENT_RING_SIZE = 500;
export const HISTORY_POINTS = 60;
export const AUDIT_VIEW_SIZE = 200;

export interface LvsState {
  readonly clusters: readonly ClusterInfo[];
  readonly hosts: Readonly<Record<string, HostRuntime>>;
  readonly ipvs: Readonly<Record<string, DirectorIpvs>>;
  readonly keepalived: Readonly<Record<string, DirectorKeepalived>>;
  readonly replication: Readonly<Record<string, ReplicationPairState>>;
  readonly nfs: Readonly<Record<string, NfsMountState>>;
  /** Newest last, at most EVENT_RING_SIZE. */
  readonly events: readonly LvsEvent[];
  /** Per director, then `${serviceKey}|${realServerKey}`: oldest first, at most HISTORY_POINTS. */
  readonly history: Readonly<Record<string, Readonly<Record<string, RateHistory>>>>;
  readonly audit: readonly AuditView[];
  readonly jumpHost?: JumpHostStats;
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
  readonly paused: boolean;

  hostAttempt(host: string, at: number): void;
  hostUp(host: string, readAt: number, durationMs: number): void;
  hostDown(host: string, error: HostError, at: number): void;
  /**
   * Progress of the poll under way: parts that arrived (read at `at`), parts still missing past their deadline
   * (late), parts the poll ended without (failed, with the reason). The host is `up` when every part is fresh,
   * `slow` when it answers but some part is late or failed.
   */
  pollProgress(host: string, progress: PollProgress, at: number): void;
  tickSkipped(host: string): void;
  setHostInfo(host: string, info: HostInfo): void;
  setIpvs(host: string, reading: IpvsReading, readAt: number): void;
  setNet(host: string, net: NetState): void;
  setClockSkew(host: string, skewMs: number): void;
  setKeepalived(host: string, reading: KeepalivedReading, readAt: number): void;
  setReplicationSide(pairId: string, side: 'source' | 'replica', reading: ReplicationSide, readAt: number): void;
  setNfsMounts(host: string, reading: NfsMountsReading, readAt: number): void;
  nfsProbeStarted(mountId: string): void;
  setNfsProbe(mountId: string, probe: NfsProbeResult, at: number): void;
  /** The probe could not run (transport failed): the mount's state is unknown, not hung. */
  nfsProbeFailed(mountId: string, reason: string, at: number): void;
  addEvents(events: readonly LvsEvent[]): void;
  /** Events from before this start (the event log's tail), placed before the ones seen since. */
  restoreEvents(events: readonly LvsEvent[]): void;
  addAudit(entries: readonly AuditView[]): void;
  setJumpHost(stats: JumpHostStats): void;
  setPaused(paused: boolean): void;
  /** Run updates as one: subscribers see a single change with all of them. */
  batch(fn: () => void): void;
}

export interface PollProgress {
  readonly read?: readonly PollPartRef[];
  readonly late?: readonly PollPartRef[];
  readonly failed?: readonly (PollPartRef & { readonly reason: string })[];
}

export interface PollPartRef {
  readonly id: string;
  readonly pane: PaneKind;
}

export interface StoreSeed {
  readonly clusters: readonly ClusterInfo[];
  readonly hosts: readonly string[];
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
}

export type LvsStore = StoreApi<LvsState>;

function statusOfParts(parts: Readonly<Record<string, PartStatus>> | undefined): 'up' | 'slow' {
  for (const p of Object.values(parts ?? {})) if (p.lateSince !== undefined || p.error !== undefined) return 'slow';
  return 'up';
}

/** `points` and `value`, the oldest dropped beyond HISTORY_POINTS: one new array per real server and poll. */
function appendCapped(points: readonly number[], value: number): number[] {
  const out = points.slice(Math.max(0, points.length + 1 - HISTORY_POINTS));
  out.push(value);
  return out;
}

const mapToRecord = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);

export function createLvsStore(seed: StoreSeed): LvsStore {
  // The configured mounts never change: their "slow" thresholds are looked up once, not on every poll.
  const slowMs = new Map(seed.clusters.flatMap((c) => c.nfs.map((n) => [n.id, n.slowMs] as const)));
  const slowMsOf = (id: string) => slowMs.get(id) ?? 500;
  return createStore<LvsState>()((rawSet, rawGet) => {
    // Inside `batch`, updates gather in a draft and land as one `set`: one notification (one frame, one event diff)
    // per host poll, however many parts it updated.
    let draft: LvsState | undefined;
    let depth = 0;
    const get = (): LvsState => draft ?? rawGet();
    const set = (partial: Partial<LvsState>) => {
      if (depth > 0) draft = { ...get(), ...partial };
      else rawSet(partial);
    };
    /** Replace one host's runtime, skipping `set` when nothing changed. */
    const patchHost = (name: string, patch: Partial<HostRuntime>) => {
      const prev = get().hosts[name];
      if (!prev) return;
      const next = shareStructure(prev, { ...prev, ...patch });
      if (next !== prev) set({ hosts: { ...get().hosts, [name]: next } });
    };
    return {
      clusters: seed.clusters,
      hosts: Object.fromEntries(seed.hosts.map((name) => [name, { name, status: 'connecting', skippedTicks: 0 }])),
      ipvs: {},
      keepalived: {},
      replication: Object.fromEntries(seed.clusters.flatMap((c) => c.replication.map((r) => [r.id, { id: r.id }]))),
      nfs: Object.fromEntries(
        seed.clusters.flatMap((c) =>
          c.nfs.map((m) => [m.id, { id: m.id, host: m.host, mountpoint: m.mountpoint, probeRunning: false }]),
        ),
      ),
      events: [],
      history: {},
      audit: [],
      pollIntervalMs: seed.pollIntervalMs,
      readOnly: seed.readOnly,
      paused: false,

      hostAttempt: (host, at) => patchHost(host, { lastAttemptAt: at }),
      hostUp: (host, readAt, durationMs) => {
        const prev = get().hosts[host];
        if (!prev) return;
        const { error: _dropped, ...rest } = prev;
        const status = statusOfParts(prev.parts);
        const next = shareStructure(prev, { ...rest, status, readAt, pollDurationMs: durationMs });
        if (next !== prev) set({ hosts: { ...get().hosts, [host]: next } });
      },
      hostDown: (host, error, at) => {
        patchHost(host, { status: 'down', error, lastAttemptAt: at });
        // Nothing is known of a down host's mounts: they are UNKNOWN with the reason, never HUNG or OK from before.
        const reason = `host ${host} down: ${error.kind}: ${error.message}`;
        const nfs = get().nfs;
        const stale = Object.values(nfs).filter((m) => m.host === host && m.reason !== reason);
        if (stale.length > 0)
          set({
            nfs: {
              ...nfs,
              ...Object.fromEntries(stale.map((m) => [m.id, { ...m, health: 'UNKNOWN' as const, reason }])),
            },
          });
      },
      pollProgress: (host, progress, at) => {
        const prev = get().hosts[host];
        if (!prev) return;
        const parts: Record<string, PartStatus> = { ...prev.parts };
        for (const { id, pane } of progress.read ?? []) parts[id] = { pane, readAt: at };
        for (const { id, pane } of progress.late ?? []) {
          const p = parts[id];
          parts[id] = { pane, ...(p?.readAt ? { readAt: p.readAt } : {}), lateSince: p?.lateSince ?? at };
        }
        for (const { id, pane, reason } of progress.failed ?? []) {
          const p = parts[id];
          parts[id] = { pane, ...(p?.readAt ? { readAt: p.readAt } : {}), error: reason };
        }
        // The host answered: whatever took it down is over, and its parts say how fresh each pane is.
        const { error: _dropped, ...rest } = prev;
        const next = shareStructure(prev, { ...rest, parts, status: statusOfParts(parts) });
        if (next !== prev) set({ hosts: { ...get().hosts, [host]: next } });
      },
      tickSkipped: (host) => patchHost(host, { skippedTicks: (get().hosts[host]?.skippedTicks ?? 0) + 1 }),
      setHostInfo: (host, info) => patchHost(host, { info }),
      setIpvs: (host, reading, readAt) => {
        const prev = get().ipvs[host];
        let serviceRates: DirectorIpvs['serviceRates'] = {};
        let realServerRates: DirectorIpvs['realServerRates'] = {};
        if (prev && prev.reading.status === 'ok' && reading.status === 'ok' && readAt > prev.readAt) {
          const r = tableRates(prev.reading.table, reading.table, (readAt - prev.readAt) / 1000);
          serviceRates = mapToRecord(r.services);
          realServerRates = mapToRecord(r.realServers);
        }
        const next: DirectorIpvs = { host, readAt, reading, serviceRates, realServerRates };
        const shared = prev ? shareStructure(prev, next) : next;
        if (shared === prev) return;
        // Only the real servers in this reading keep a history: one that left the table takes its history with it.
        const before = get().history[host] ?? {};
        const mine: Record<string, RateHistory> = {};
        for (const [key, r] of Object.entries(realServerRates)) {
          const h = before[key] ?? { connsPerSec: [], bytesPerSec: [] };
          mine[key] = {
            connsPerSec: appendCapped(h.connsPerSec, r.connsPerSec),
            bytesPerSec: appendCapped(h.bytesPerSec, r.inBytesPerSec + r.outBytesPerSec),
          };
        }
        const history = reading.status === 'ok' ? { ...get().history, [host]: mine } : get().history;
        set({ ipvs: { ...get().ipvs, [host]: shared }, history });
      },
      setNet: (host, net) => patchHost(host, { net }),
      setClockSkew: (host, clockSkewMs) => patchHost(host, { clockSkewMs }),
      setKeepalived: (host, reading, readAt) => {
        const prev = get().keepalived[host];
        const stateSeenAt: Record<string, number> = {};
        if (reading.status === 'ok') {
          const before = prev?.reading.status === 'ok' ? prev.reading.instances : [];
          for (const i of reading.instances) {
            const same = before.find((b) => b.name === i.name)?.state === i.state;
            const seen = same ? prev?.stateSeenAt[i.name] : undefined;
            stateSeenAt[i.name] = seen ?? readAt;
          }
        }
        const next = { host, readAt, reading, stateSeenAt };
        const shared = prev ? shareStructure(prev, next) : next;
        if (shared !== prev) set({ keepalived: { ...get().keepalived, [host]: shared } });
      },
      setReplicationSide: (pairId, side, reading, readAt) => {
        const prev = get().replication[pairId];
        if (!prev) return;
        const next = shareStructure(prev, { ...prev, [side]: { ...reading, readAt } });
        if (next !== prev) set({ replication: { ...get().replication, [pairId]: next } });
      },
      setNfsMounts: (host, reading, readAt) => {
        const all = get().nfs;
        let changed = false;
        const updated: Record<string, NfsMountState> = { ...all };
        for (const m of Object.values(all)) {
          if (m.host !== host) continue;
          const entry = reading.mounts.find((e) => e.mountpoint === m.mountpoint);
          const counters = reading.stats.get(m.mountpoint);
          const prevC = m.counters;
          const delta =
            counters && prevC && counters.ops >= prevC.ops
              ? {
                  ops: counters.ops - prevC.ops,
                  transmissions: counters.transmissions - prevC.transmissions,
                  majorTimeouts: counters.majorTimeouts - prevC.majorTimeouts,
                  rttMs: counters.rttMs - prevC.rttMs,
                  executeMs: counters.executeMs - prevC.executeMs,
                }
              : undefined;
          const verdict = judgeNfsMount(entry !== undefined, m.probe, slowMsOf(m.id));
          const { entry: _e, counters: _c, delta: _d, ...rest } = m;
          const next = shareStructure(m, {
            ...rest,
            ...(entry ? { entry } : {}),
            ...(counters ? { counters } : {}),
            ...(delta ? { delta } : {}),
            mountedReadAt: readAt,
            health: verdict.health,
            reason: verdict.reason,
          });
          if (next !== m) {
            updated[m.id] = next;
            changed = true;
          }
        }
        if (changed) set({ nfs: updated });
      },
      nfsProbeStarted: (mountId) => {
        const m = get().nfs[mountId];
        if (m && !m.probeRunning) set({ nfs: { ...get().nfs, [mountId]: { ...m, probeRunning: true } } });
      },
      setNfsProbe: (mountId, probe, at) => {
        const m = get().nfs[mountId];
        if (!m) return;
        const verdict = judgeNfsMount(m.entry !== undefined || m.mountedReadAt === undefined, probe, slowMsOf(mountId));
        set({
          nfs: {
            ...get().nfs,
            [mountId]: {
              ...m,
              probe,
              probedAt: at,
              probeRunning: false,
              health: verdict.health,
              reason: verdict.reason,
            },
          },
        });
      },
      nfsProbeFailed: (mountId, reason, at) => {
        const m = get().nfs[mountId];
        if (!m) return;
        set({
          nfs: { ...get().nfs, [mountId]: { ...m, probedAt: at, probeRunning: false, health: 'UNKNOWN', reason } },
        });
      },
      addEvents: (events) => {
        if (events.length === 0) return;
        const all = [...get().events, ...events];
        set({ events: all.length > EVENT_RING_SIZE ? all.slice(all.length - EVENT_RING_SIZE) : all });
      },
      restoreEvents: (events) => {
        if (events.length > 0) set({ events: [...events, ...get().events].slice(-EVENT_RING_SIZE) });
      },
      addAudit: (entries) => {
        if (entries.length > 0) set({ audit: [...get().audit, ...entries].slice(-AUDIT_VIEW_SIZE) });
      },
      setJumpHost: (stats) => set({ jumpHost: stats }),
      setPaused: (paused) => {
        if (get().paused !== paused) set({ paused });
      },
      batch: (fn) => {
        depth += 1;
        try {
          fn();
        } finally {
          depth -= 1;
          if (depth === 0 && draft) {
            const next = draft;
            draft = undefined;
            rawSet(next);
          }
        }
      },
    };
  });
}
