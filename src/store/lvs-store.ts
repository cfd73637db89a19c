import { createStore, type StoreApi } from 'zustand/vanilla';
import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import { tableRates } from '../../collectors/ipvs-rates.js';
import type { HostInfo } from '../../collectors/host-info.js';
import { shareStructure } from './structural-sharing.js';
import { addressSeenAt, keepalivedReadFailed, nextProbe, stateChangesAfter, withReadErrors } from './seen-since.js';
import type { KeyedRecord, RecordChange, StateChanges } from './record-changes.js';
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
  NfsServerExports,
  NfsWriteCheck,
  PaneKind,
  PartStatus,
  ReplicationPairState,
  RealServerProbe,
} from './store-types.js';
import { probeTargetKey, type ProbeOutcome, type ProbeTarget } from '../../collectors/rs-probe.js';

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
  /** Per NFS server host (a configured mount's `server`): its exports, read now and then. */
  readonly nfsExports: Readonly<Record<string, NfsServerExports>>;
  /** Per director, then per probe target (`probeTargetKey`): the last probe of each real server from there. */
  readonly probes: Readonly<Record<string, Readonly<Record<string, RealServerProbe>>>>;
  /** Newest last, at most EVENT_RING_SIZE. */
  readonly events: readonly LvsEvent[];
  /** Per director, then `${serviceKey}|${realServerKey}`: oldest first, at most HISTORY_POINTS. */
  readonly history: Readonly<Record<string, Readonly<Record<string, RateHistory>>>>;
  readonly audit: readonly AuditView[];
  readonly jumpHost?: JumpHostStats;
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
  readonly paused: boolean;
  /**
   * What the write that made this state changed in its keyed records, so a subscriber can look at the keys written
   * instead of walking the fleet (see `changedKeys`). Absent or partial for states built elsewhere.
   */
  readonly changes?: StateChanges;

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
  setNet(host: string, net: NetState, readAt: number): void;
  setClockSkew(host: string, skewMs: number): void;
  setKeepalived(host: string, reading: KeepalivedReading, readAt: number): void;
  setReplicationSide(pairId: string, side: 'source' | 'replica', reading: ReplicationSide, readAt: number): void;
  setNfsMounts(host: string, reading: NfsMountsReading, readAt: number): void;
  nfsProbeStarted(mountId: string): void;
  setNfsProbe(mountId: string, probe: NfsProbeResult, at: number): void;
  /** The probe could not run (transport failed): the mount's state is unknown, not hung. */
  nfsProbeFailed(mountId: string, reason: string): void;
  /** A write check as the web user ran (or could not run) on a mount. */
  setNfsWrite(mountId: string, check: NfsWriteCheck): void;
  setNfsExports(host: string, exports: NfsServerExports): void;
  /** One round of real-server probes from `director`: each result updates its target's run of passes or failures. */
  setRsProbes(director: string, results: readonly { target: ProbeTarget; outcome: ProbeOutcome }[], at: number): void;
  addEvents(events: readonly LvsEvent[]): void;
  /** Events from before this start (the event log's tail), placed before the ones seen since. */
  restoreEvents(events: readonly LvsEvent[]): void;
  addAudit(entries: readonly AuditView[]): void;
  setJumpHost(stats: JumpHostStats): void;
  setPaused(paused: boolean): void;
  /** Run updates as one: subscribers see a single change with all of them. */
  batch(fn: () => void): void;
  /** Land writes the commit window holds back, now. */
  flush(): void;
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
  /**
   * Hold host writes that come within this many ms of the last change and land them together at the end of the
   * window: with hundreds of hosts, polls then cost one copy of the fleet's records per window, not one per poll.
   * 0 (the default): every write or batch lands at once.
   */
  readonly commitWindowMs?: number;
}

export type LvsStore = StoreApi<LvsState>;

function statusOfParts(parts: Readonly<Record<string, PartStatus>> | undefined): 'up' | 'slow' {
  for (const p of Object.values(parts ?? {})) if (p.lateSince !== undefined || p.error !== undefined) return 'slow';
  return 'up';
}

/** Add `value` to a series in place, dropping the oldest point beyond HISTORY_POINTS. */
function pushCapped(points: readonly number[], value: number): void {
  const series = points as number[];
  series.push(value);
  if (series.length > HISTORY_POINTS) series.splice(0, series.length - HISTORY_POINTS);
}

const mapToRecord = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);

export function createLvsStore(seed: StoreSeed): LvsStore {
  // The configured mounts never change: their "slow" thresholds are looked up once, not on every poll.
  const slowMs = new Map(seed.clusters.flatMap((c) => c.nfs.map((n) => [n.id, n.slowMs] as const)));
  const slowMsOf = (id: string) => slowMs.get(id) ?? 500;
  return createStore<LvsState>()((rawSet, rawGet) => {
    // Writes gather in a draft that subscribers see land as one change (one frame, one event diff): at the end of a
    // batch (a host poll, however many parts it updated), and with a commit window at most once per window (see
    // `StoreSeed.commitWindowMs`).
    let draft: LvsState | undefined;
    let depth = 0;
    // The keyed records the draft holds its own copies of (written in place until the draft lands), with the record
    // each copy was made from and the keys written since.
    let drafted = new Map<KeyedRecord, { from: object; keys: Set<string> }>();
    const windowMs = seed.commitWindowMs ?? 0;
    let lastCommitAt = -Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const get = (): LvsState => draft ?? rawGet();
    const commit = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (!draft || depth > 0) return;
      const changes: Partial<Record<KeyedRecord, RecordChange>> = {};
      for (const [record, d] of drafted) changes[record] = { from: d.from, to: draft[record], keys: [...d.keys] };
      const next = { ...draft, changes };
      draft = undefined;
      drafted = new Map();
      lastCommitAt = Date.now();
      rawSet(next);
    };
    /** Land the draft now, or at the end of the window that began with the last commit. */
    const settle = () => {
      if (depth > 0 || !draft) return;
      const wait = lastCommitAt + windowMs - Date.now();
      if (wait <= 0) commit();
      else if (timer === undefined) {
        timer = setTimeout(commit, wait);
        timer.unref?.();
      }
    };
    /** Whole fields (events, audit, pause): what the operator did or must see lands at once, with any held writes. */
    const set = (partial: Partial<LvsState>) => {
      draft = { ...get(), ...partial };
      for (const k in partial) drafted.delete(k as KeyedRecord);
      commit();
    };
    /**
     * Set one entry of a keyed record. A draft copies each record once and writes into its copy: a host poll that
     * touches one host costs one copy of the fleet's record, not one per part, and with a commit window one copy per
     * window, not per poll. The keys written go out with the state.
     */
    const writeEntry = <K extends KeyedRecord>(record: K, key: string, value: LvsState[K][string]) => {
      let d = drafted.get(record);
      if (!d) {
        const from = get()[record];
        draft = { ...get(), [record]: { ...from } };
        drafted.set(record, (d = { from, keys: new Set() }));
      }
      (draft![record] as Record<string, unknown>)[key] = value;
      d.keys.add(key);
      settle();
    };
    /** Replace one host's runtime, skipping the write when nothing changed. */
    const writeHost = (prev: HostRuntime, next: HostRuntime) => {
      const shared = shareStructure(prev, next);
      if (shared !== prev) writeEntry('hosts', prev.name, shared);
    };
    const patchHost = (name: string, patch: Partial<HostRuntime>) => {
      const prev = get().hosts[name];
      if (prev) writeHost(prev, { ...prev, ...patch });
    };
    const countReadError = (host: string, pane: PaneKind) => {
      const rt = get().hosts[host];
      if (rt) writeHost(rt, { ...rt, readErrors: withReadErrors(rt, [pane]) });
    };
    /**
     * Extend a director's rate history with this reading's rates. Only the real servers in the reading keep a history:
     * one that left the table takes its history with it. The series grow in place (the history is drawn, never
     * compared between states): a 2,000-row table adds 4,000 points a poll, not 4,000 new arrays, and the director's
     * record is replaced only when its set of real servers changes.
     */
    const writeHistory = (host: string, rates: DirectorIpvs['realServerRates']) => {
      const before = get().history[host] ?? {};
      const keys = Object.keys(rates);
      const same = keys.length === Object.keys(before).length && keys.every((k) => Object.hasOwn(before, k));
      const record: Record<string, RateHistory> = same
        ? before
        : Object.fromEntries(keys.map((k) => [k, before[k] ?? { connsPerSec: [], bytesPerSec: [] }]));
      for (const k of keys) {
        const r = rates[k]!;
        pushCapped(record[k]!.connsPerSec, r.connsPerSec);
        pushCapped(record[k]!.bytesPerSec, r.inBytesPerSec + r.outBytesPerSec);
      }
      if (record !== before || !get().history[host]) writeEntry('history', host, record);
    };
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
      events: [],
      history: {},
      audit: [],
      pollIntervalMs: seed.pollIntervalMs,
      readOnly: seed.readOnly,
      paused: false,

      hostUp: (host, readAt, durationMs) => {
        const prev = get().hosts[host];
        if (!prev) return;
        const { error: _dropped, ...rest } = prev;
        writeHost(prev, { ...rest, status: statusOfParts(prev.parts), readAt, pollDurationMs: durationMs });
      },
      hostDown: (host, error, at) => {
        const rt = get().hosts[host];
        if (rt) patchHost(host, { status: 'down', error, lastAttemptAt: at, readErrors: withReadErrors(rt, ['host']) });
        // Nothing is known of a down host's mounts: they are UNKNOWN with the reason, never HUNG or OK from before.
        const reason = `host ${host} down: ${error.kind}: ${error.message}`;
        for (const m of Object.values(get().nfs))
          if (m.host === host && m.reason !== reason) writeEntry('nfs', m.id, { ...m, health: 'UNKNOWN', reason });
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
        const failed = progress.failed ?? [];
        const readErrors =
          failed.length > 0
            ? withReadErrors(
                prev,
                failed.map((f) => f.pane),
              )
            : prev.readErrors;
        // Parts only late: nothing came back, so a host that is down (or still connecting) stays so. A poll waiting
        // on a dead host's transport is not an answer, and must not show the host reachable between two failures.
        if (!progress.read?.length && !failed.length && (prev.status === 'down' || prev.status === 'connecting')) {
          writeHost(prev, { ...prev, parts });
          return;
        }
        // The host answered: whatever took it down is over, and its parts say how fresh each pane is.
        const { error: _dropped, ...rest } = prev;
        writeHost(prev, { ...rest, parts, status: statusOfParts(parts), ...(readErrors ? { readErrors } : {}) });
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
        // The table keeps what did not change; the rates are new with every reading (a new read time), so they are
        // not compared.
        const shared = prev ? shareStructure(prev.reading, reading) : reading;
        if (prev && prev.readAt === readAt && shared === prev.reading) return;
        const okAt = reading.status === 'ok' ? readAt : prev?.okAt;
        writeEntry('ipvs', host, {
          host,
          readAt,
          ...(okAt === undefined ? {} : { okAt }),
          reading: shared,
          serviceRates,
          realServerRates,
        });
        if (reading.status === 'error') countReadError(host, 'ipvs');
        if (reading.status === 'ok') writeHistory(host, realServerRates);
      },
      setNet: (host, net, readAt) => {
        const prev = get().hosts[host];
        if (prev) writeHost(prev, { ...prev, net, netReadAt: readAt, addressSeenAt: addressSeenAt(prev, net, readAt) });
      },
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
        const okAt = reading.status === 'ok' ? readAt : prev?.okAt;
        const stateChanges = stateChangesAfter(prev, reading);
        const next = { host, readAt, ...(okAt === undefined ? {} : { okAt }), reading, stateSeenAt, stateChanges };
        const shared = prev ? shareStructure(prev, next) : next;
        if (shared !== prev) writeEntry('keepalived', host, shared);
        if (keepalivedReadFailed(reading)) countReadError(host, 'keepalived');
      },
      setReplicationSide: (pairId, side, reading, readAt) => {
        const prev = get().replication[pairId];
        if (!prev) return;
        const next = shareStructure(prev, { ...prev, [side]: { ...reading, readAt } });
        if (next !== prev) writeEntry('replication', pairId, next);
      },
      setNfsMounts: (host, reading, readAt) => {
        for (const m of Object.values(get().nfs)) {
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
          if (next !== m) writeEntry('nfs', m.id, next);
        }
      },
      nfsProbeStarted: (mountId) => {
        const m = get().nfs[mountId];
        if (m && !m.probeRunning) writeEntry('nfs', mountId, { ...m, probeRunning: true });
      },
      setNfsProbe: (mountId, probe, at) => {
        const m = get().nfs[mountId];
        if (!m) return;
        const verdict = judgeNfsMount(m.entry !== undefined || m.mountedReadAt === undefined, probe, slowMsOf(mountId));
        writeEntry('nfs', mountId, {
          ...m,
          probe,
          probedAt: at,
          probeRunning: false,
          health: verdict.health,
          reason: verdict.reason,
        });
      },
      nfsProbeFailed: (mountId, reason) => {
        const m = get().nfs[mountId];
        if (!m) return;
        // `probedAt` stays the last probe that ran: a failure to reach the host is not a reading of the mount.
        writeEntry('nfs', mountId, { ...m, probeRunning: false, health: 'UNKNOWN', reason });
      },
      setNfsWrite: (mountId, check) => {
        const m = get().nfs[mountId];
        if (m)
          writeEntry(
            'nfs',
            mountId,
            shareStructure(m, { ...m, write: check, ...(check.ok !== null ? { writeSettled: check } : {}) }),
          );
      },
      setNfsExports: (host, exports) => {
        const prev = get().nfsExports[host];
        const next = prev ? shareStructure(prev, exports) : exports;
        if (next !== prev) set({ nfsExports: { ...get().nfsExports, [host]: next } });
      },
      setRsProbes: (director, results, at) => {
        if (results.length === 0) return;
        const before = get().probes[director] ?? {};
        const next: Record<string, RealServerProbe> = { ...before };
        for (const { target, outcome } of results)
          next[probeTargetKey(target)] = nextProbe(before[probeTargetKey(target)], target, outcome, at);
        writeEntry('probes', director, next);
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
          settle();
        }
      },
      flush: commit,
    };
  });
}
