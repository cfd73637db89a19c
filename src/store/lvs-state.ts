import type { StoreApi } from 'zustand/vanilla';
import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import type { HostInfo } from '../../collectors/host-info.js';
import type { StateChanges } from './record-changes.js';
import type { KeepalivedReading } from '../../collectors/keepalived.js';
import type { NetState } from '../../collectors/net-state.js';
import type { NfsMountsReading, NfsProbeResult } from '../../collectors/nfs.js';
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
  ProbeBudget,
  ReplicationPairState,
  RealServerProbe,
} from './store-types.js';
import type { ProbeOutcome, ProbeTarget } from '../../collectors/rs-probe.js';
import type { ConnCountRead, DirectorSync, SyncDaemonsRead } from './sync-slice.js';
import type { DirectorDrains } from './drain-slice.js';

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
  /** Per director: its connection sync daemons and connection-table size, each read now and then. */
  readonly sync: Readonly<Record<string, DirectorSync>>;
  /** Per director: real servers at weight 0 and what its connection table still holds for them. */
  readonly drains: Readonly<Record<string, DirectorDrains>>;
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
   * Clusters a console shows the Connections view of: their directors' connection tables are read for every real
   * server, not only for drains. Set by the console (or, in serve, by the attached consoles); never sent or recorded.
   */
  readonly connectionsWatched: readonly string[];
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
  /** What one poll costs the director in CPU (a moving average, ms). */
  setPollCpu(host: string, cpuMs: number): void;
  setProbeBudget(host: string, budget: ProbeBudget): void;
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
  setSyncDaemons(host: string, daemons: SyncDaemonsRead): void;
  setConnCount(host: string, conns: ConnCountRead): void;
  /** A read of a director's connection table for its servers at weight 0 (those not listed are no longer followed). */
  setDrains(host: string, drains: DirectorDrains): void;
  addEvents(events: readonly LvsEvent[]): void;
  /** Events from before this start (the event log's tail), placed before the ones seen since. */
  restoreEvents(events: readonly LvsEvent[]): void;
  addAudit(entries: readonly AuditView[]): void;
  setJumpHost(stats: JumpHostStats): void;
  setPaused(paused: boolean): void;
  setConnectionsWatched(clusters: readonly string[]): void;
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

/** The state's data fields, without the actions. */
export type LvsData = {
  readonly [K in keyof LvsState as LvsState[K] extends (...args: never[]) => unknown ? never : K]: LvsState[K];
};
