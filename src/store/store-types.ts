import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import type { IpvsRates } from '../../collectors/ipvs-rates.js';
import type { HostInfo } from '../../collectors/host-info.js';
import type { KeepalivedReading } from '../../collectors/keepalived.js';
import type { NetState } from '../../collectors/net-state.js';
import type { NotifyLine } from '../../collectors/keepalived-notify.js';
import type { MountEntry, NfsHealth, NfsOpCounters, NfsProbeResult } from '../../collectors/nfs.js';
import type { NfsExportsReading } from '../../collectors/nfs-exports.js';
import type { NfsWriteResult } from '../../collectors/nfs-write.js';
import type { ReplicationSide } from '../../collectors/replication.js';
import type { TransportErrorKind } from '../transport/transport-error.js';
import type { ProbeOutcome, ProbeTarget } from '../../collectors/rs-probe.js';

export interface HealthProbes {
  readonly enabled: boolean;
  readonly deadlineMs: number;
  readonly maxPerRound: number;
  readonly costShare: number;
  readonly failuresToDown: number;
  readonly default: { readonly kind: 'tcp' | 'http'; readonly path: string; readonly expect: readonly number[] };
}

export const DEFAULT_HEALTH_PROBES: HealthProbes = {
  enabled: true,
  deadlineMs: 1000,
  maxPerRound: 64,
  costShare: 0.2,
  failuresToDown: 2,
  default: { kind: 'tcp', path: '/', expect: [200] },
};

/** The last probe of one target (a real server's address, port and way of probing) from one director. */
export interface RealServerProbe extends ProbeOutcome {
  readonly target: ProbeTarget;
  /** When it was last judged (console clock): a probe that could not judge leaves it as it was. */
  readonly at: number;
  /** Failed probes in a row (0 after one that passed; unchanged by one that could not judge). */
  readonly failures: number;
  /** When the current run of passes or failures began. */
  readonly since: number;
}

/** `slow`: the host answers but some parts of its poll are late or failed; `down`: the transport failed. */
export type HostStatus = 'connecting' | 'up' | 'slow' | 'down';

/** The panes a host's poll feeds; each is fresh or stale on its own. */
export type PaneKind = 'host' | 'ipvs' | 'keepalived' | 'replication' | 'nfs';

/** Freshness of one part of a host's poll. */
export interface PartStatus {
  readonly pane: PaneKind;
  /** Last good read of this part (ms since epoch). */
  readonly readAt?: number;
  /** Still not arrived in the poll under way since this time: the pane is stale. */
  readonly lateSince?: number;
  /** Why the last poll did not deliver this part. */
  readonly error?: string;
}

export interface HostError {
  readonly kind: TransportErrorKind;
  readonly message: string;
}

/** How a director's real-server probe rounds are sized: their CPU there is kept to a share of the poll's. */
export interface ProbeBudget {
  /** CPU (ms, a moving average) one probe costs the director. */
  readonly perProbeCpuMs: number;
  /** Probes in each round from now on, and the targets in all: each target is probed every `everyRounds` rounds. */
  readonly perRound: number;
  readonly targets: number;
  readonly everyRounds: number;
  /** The share of the poll's CPU the probes may use (`healthProbes.costShare`). */
  readonly share: number;
}

export interface HostRuntime {
  readonly name: string;
  readonly status: HostStatus;
  readonly error?: HostError;
  /** When this host's data was last read successfully (ms since epoch). */
  readonly readAt?: number;
  readonly lastAttemptAt?: number;
  readonly pollDurationMs?: number;
  /** Per poll part (`ipvs`, `keepalived`...): when it was last read and why it is stale. */
  readonly parts?: Readonly<Record<string, PartStatus>>;
  /** Ticks skipped because the previous poll was still running. */
  readonly skippedTicks: number;
  readonly info?: HostInfo;
  /** The host's clock minus the console's (ms), read now and then; positive: the host is ahead. */
  readonly clockSkewMs?: number;
  /**
   * Directors: the CPU time (ms, user + system, a moving average) one poll costs the host, the poll's shell and the
   * programs it ran, from the shell's own `times`.
   */
  readonly pollCpuMs?: number;
  /** Directors: what the real-server probes from here cost, and how the round is sized to keep them light. */
  readonly probeBudget?: ProbeBudget;
  readonly net?: NetState;
  /** When `net` was read (ms, console clock). */
  readonly netReadAt?: number;
  /**
   * Per address in `net`: when this console first read it on the host, in the stretch it has been there since. Judging
   * a VIP on two hosts compares these with the other host's read time, as the VRRP check does with `stateSeenAt`.
   */
  readonly addressSeenAt?: Readonly<Record<string, number>>;
  /** Failed reads since start, per pane (`host` counts polls that failed at the transport). */
  readonly readErrors?: Readonly<Partial<Record<PaneKind, number>>>;
}

export interface DirectorIpvs {
  readonly host: string;
  readonly readAt: number;
  /** The last read whose table could be used (status ok); absent while none could. */
  readonly okAt?: number;
  readonly reading: IpvsReading;
  /** Per service key. */
  readonly serviceRates: Readonly<Record<string, IpvsRates>>;
  /** Per `${serviceKey}|${realServerKey}`. */
  readonly realServerRates: Readonly<Record<string, IpvsRates>>;
}

export interface DirectorKeepalived {
  readonly host: string;
  readonly readAt: number;
  /** The last read keepalived answered (status ok); absent while none did. */
  readonly okAt?: number;
  /** Per instance: state changes this console has seen between two answers (MASTER → BACKUP...). */
  readonly stateChanges: Readonly<Record<string, number>>;
  readonly reading: KeepalivedReading;
  /**
   * When the checker view `reading` carries was read (console ms). The data dump that carries it comes every few
   * seconds, and a late one's view stands a while, so it can be older than `readAt`.
   */
  readonly checkersAt?: number;
  /**
   * The notify log lines read so far (each poll reads the last few): oldest first, the newest NOTIFY_HISTORY kept,
   * whatever keepalived's state, so a takeover and a flap can be timed across polls. Times in the director's clock.
   */
  readonly notifyHistory?: readonly NotifyLine[];
  /**
   * Per instance: when this console first read the state the instance is in now (console clock). Judgements across
   * directors use it, never keepalived's own transition time, which is in that director's clock.
   */
  readonly stateSeenAt: Readonly<Record<string, number>>;
}

export interface ReplicationSideState extends ReplicationSide {
  readonly readAt: number;
}

export interface ReplicationPairState {
  readonly id: string;
  readonly source?: ReplicationSideState;
  readonly replica?: ReplicationSideState;
}

export interface NfsMountState {
  readonly id: string;
  readonly host: string;
  readonly mountpoint: string;
  readonly entry?: MountEntry;
  readonly mountedReadAt?: number;
  readonly counters?: NfsOpCounters;
  /** Counter deltas between the last two reads. */
  readonly delta?: NfsOpCounters;
  readonly probe?: NfsProbeResult;
  readonly probedAt?: number;
  readonly probeRunning: boolean;
  /** UNKNOWN: the host or the probe could not be reached, so nothing is known about the mount. */
  readonly health?: NfsHealth | 'UNKNOWN';
  readonly reason?: string;
  /** The last write check as the web server's user. */
  readonly write?: NfsWriteCheck;
  /** The last write check that gave a verdict (ok true or false): a check that timed out or could not run keeps it. */
  readonly writeSettled?: NfsWriteCheck;
}

export interface NfsWriteCheck {
  /** When it ran (console clock). */
  readonly at: number;
  /** Absent when the check could not run (transport failed, output unreadable). */
  readonly result?: NfsWriteResult;
  /** true writable, false not, null not checked. */
  readonly ok: boolean | null;
  readonly reason: string;
}

/** What an NFS server host exports, read by its poll. */
export interface NfsServerExports {
  readonly host: string;
  readonly readAt: number;
  readonly reading?: NfsExportsReading;
  readonly error?: string;
}

export type EventSeverity = 'info' | 'warn' | 'critical';

export interface LvsEvent {
  readonly at: number;
  readonly severity: EventSeverity;
  readonly cluster?: string;
  readonly host?: string;
  readonly kind: string;
  readonly message: string;
}

export interface ClusterInfo {
  readonly name: string;
  /** How real servers are probed and judged (config `healthProbes`); absent: the defaults (`DEFAULT_HEALTH_PROBES`). */
  readonly healthProbes?: HealthProbes;
  readonly mode: 'nat' | 'dr' | 'tun';
  readonly directors: readonly string[];
  readonly realServers: readonly { readonly host?: string; readonly address: string }[];
  readonly vips: readonly string[];
  /** Directors that run keepalived, with the instances the config names. */
  readonly keepalived: Readonly<Record<string, readonly string[]>>;
  readonly dips: Readonly<Record<string, string>>;
  readonly replication: readonly {
    readonly id: string;
    readonly name: string;
    readonly source: string;
    readonly replica: string;
    readonly warnSeconds: number;
    readonly criticalSeconds: number;
    readonly pusher?: string;
    readonly rsyncTarget?: string;
  }[];
  readonly nfs: readonly {
    readonly id: string;
    readonly host: string;
    readonly mountpoint: string;
    readonly export?: string;
    readonly slowMs: number;
    /** The user the write check runs as (config `writeAs`); absent: the web server's worker processes' user. */
    readonly writeAs?: string;
    /** The directory the write check writes in (config `writePath`, default the mountpoint). */
    readonly writePath: string;
    /** The configured lvstop host that serves this mount (config `server`). */
    readonly server?: string;
  }[];
}

export interface RateHistory {
  readonly connsPerSec: readonly number[];
  readonly bytesPerSec: readonly number[];
}

/** An audit line as the console shows it. */
export interface AuditView {
  readonly at: number;
  readonly operator: string;
  readonly action: string;
  readonly target: string;
  readonly result: string;
  readonly message: string;
  /** Why the operator made the change; `forced: ` first when a guard was forced. */
  readonly reason?: string;
}

export interface JumpHostStats {
  readonly cpuPercent: number;
  readonly memUsedPercent: number;
  readonly rxBytesPerSec?: number;
  readonly txBytesPerSec?: number;
  readonly readAt: number;
}
