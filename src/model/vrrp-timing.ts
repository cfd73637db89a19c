import type { NotifyLine } from '../../collectors/keepalived-notify.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import {
  expectedTakeover,
  flapping,
  measuredTakeovers,
  type ExpectedTakeover,
  type MeasuredTakeover,
  type VrrpTiming,
} from './takeover.js';
import type { VrrpRow } from './vrrp.js';

/** Failover timing of one VRRP instance of a cluster, across its directors. */
export interface InstanceTiming {
  readonly instance: string;
  /** advert_int and version as the directors' keepalived dumps give them (keepalived's defaults when none does). */
  readonly timing: VrrpTiming;
  /** What the timers promise for the next takeover; absent with no director to take over. */
  readonly expected?: ExpectedTakeover;
  /** Takeovers the notify logs show, newest last (at most MEASURED_KEPT). */
  readonly measured: readonly MeasuredTakeover[];
  /** Per director: state changes its notify log shows in the last 10 minutes of its own clock. */
  readonly transitions10m: Readonly<Record<string, number>>;
  /** Directors on which the instance changed state 3 or more times in the last 10 minutes. */
  readonly flapping: readonly string[];
}

export const MEASURED_KEPT = 3;

/** The notify lines kept for each director of the cluster. */
function notifyLogs(state: LvsState, cluster: ClusterInfo): Map<string, readonly NotifyLine[]> {
  const logs = new Map<string, readonly NotifyLine[]>();
  for (const d of Object.keys(cluster.keepalived)) logs.set(d, state.keepalived[d]?.notifyHistory ?? []);
  return logs;
}

function timingOf(state: LvsState, cluster: ClusterInfo, instance: string): VrrpTiming {
  for (const d of Object.keys(cluster.keepalived)) {
    const r = state.keepalived[d]?.reading;
    const i = r?.status === 'ok' ? r.instances.find((x) => x.name === instance) : undefined;
    if (i?.advertIntSec !== undefined)
      return { advertIntSec: i.advertIntSec, ...(i.version ? { version: i.version } : {}) };
  }
  return { advertIntSec: 1 };
}

/**
 * Per director, the flap reading of each instance at `now` (console ms) taken to the director's own clock with its
 * measured skew: the lines' times are that director's, so lines written long ago (read again after a restart of
 * keepalived or of this console) fall outside the window, and a director whose clock is off is judged by its own.
 */
function flapsByDirector(state: LvsState, logs: ReadonlyMap<string, readonly NotifyLine[]>, now: number) {
  return [...logs].flatMap(([d, lines]) =>
    flapping(new Map([[d, lines]]), (now + (state.hosts[d]?.clockSkewMs ?? 0)) / 1000),
  );
}

/** The newest keepalived read of the cluster's directors (console ms): the end of the flap window. */
function lastReadAt(state: LvsState, cluster: ClusterInfo): number {
  return Math.max(0, ...Object.keys(cluster.keepalived).map((d) => state.keepalived[d]?.readAt ?? 0));
}

/**
 * Failover timing of every instance of the cluster: expected, measured, and flapping. The flap window ends at the
 * cluster's newest keepalived read, so the judgement is the store's alone (a replay gives what the console showed).
 */
export function clusterTimings(
  state: LvsState,
  cluster: ClusterInfo,
  rows: readonly VrrpRow[],
  now = lastReadAt(state, cluster),
): Map<string, InstanceTiming> {
  const logs = notifyLogs(state, cluster);
  const flaps = flapsByDirector(state, logs, now);
  const out = new Map<string, InstanceTiming>();
  for (const instance of new Set(rows.map((r) => r.instance))) {
    const timing = timingOf(state, cluster, instance);
    const peers = rows
      .filter((r) => r.instance === instance && r.effectivePriority !== undefined)
      .map((r) => ({ director: r.director, priority: r.effectivePriority!, state: r.state }));
    const expected = expectedTakeover(instance, peers, timing);
    const mine = flaps.filter((f) => f.instance === instance);
    out.set(instance, {
      instance,
      timing,
      ...(expected ? { expected } : {}),
      measured: measuredTakeovers(logs, instance, now / 1000).slice(-MEASURED_KEPT),
      transitions10m: Object.fromEntries(mine.map((f) => [f.director, f.transitions])),
      flapping: mine.filter((f) => f.flapping).map((f) => f.director),
    });
  }
  return out;
}

/** `3.6s` — one decimal under ten seconds. */
export const seconds = (s: number) => (s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`);

/** The last takeover with a time, as the view shows it: `1s` (released), `0s` (preempted), `?` for a silent one. */
export function lastTakeoverText(t: InstanceTiming | undefined): string {
  const last = t?.measured.at(-1);
  if (!last) return '-';
  return last.seconds === undefined ? '?' : `${last.seconds}s`;
}

const iso = (unixSec: number) => new Date(unixSec * 1000).toISOString();

/** One VRRP row's failover timing as `snapshot --json` gives it (notify-log times as ISO strings). */
export function failoverJson(t: InstanceTiming | undefined, director: string) {
  return {
    advertIntSec: t?.timing.advertIntSec ?? null,
    version: t?.timing.version ?? 2,
    expected: t?.expected
      ? { director: t.expected.director, onSilenceSec: t.expected.onSilenceSec, onReleaseSec: t.expected.onReleaseSec }
      : null,
    measured: (t?.measured ?? []).map((m) => ({
      from: m.from,
      to: m.to,
      how: m.how,
      seconds: m.seconds ?? null,
      leftAt: m.leftAt === undefined ? null : iso(m.leftAt),
      masterAt: iso(m.masterAt),
    })),
    transitions10m: t?.transitions10m[director] ?? 0,
    flapping: t?.flapping.includes(director) ?? false,
  };
}
