import type { NotifyLine } from '../../collectors/keepalived-notify.js';

/**
 * Failover timing of VRRP instances: what keepalived's timers promise, what the notify logs show happened, and
 * whether an instance flaps. Times in seconds (notify lines carry unix seconds).
 */

export interface VrrpTiming {
  /** advert_int in seconds (keepalived's default 1). */
  readonly advertIntSec: number;
  /** vrrp_version (keepalived's default 2). */
  readonly version?: 2 | 3;
  /** down_timer_adverts (default 3): adverts a BACKUP misses before it takes over. */
  readonly downTimerAdverts?: number;
}

/**
 * skew_time, in seconds, as keepalived computes it (VRRP_TIMER_SKEW_CALC in vrrp.h): VRRPv2 (RFC 3768)
 * (256 − priority) / 256 s whatever advert_int is; VRRPv3 (RFC 5798) (256 − priority) × advert_int / 256, keepalived
 * counting advert_int in centiseconds. The priority is the effective one; an address owner's is 255.
 */
export function skewTime(priority: number, timing: VrrpTiming): number {
  const p = 256 - Math.min(255, Math.max(1, priority));
  if (timing.version === 3) return (p * Math.round(timing.advertIntSec * 100) * 625) / 16 / 1e6;
  return p / 256;
}

/** master_down_interval: down_timer_adverts × advert_int + skew_time (VRRP_MS_DOWN_TIMER). */
export function masterDownInterval(priority: number, timing: VrrpTiming): number {
  return (timing.downTimerAdverts ?? 3) * timing.advertIntSec + skewTime(priority, timing);
}

export interface VrrpPeer {
  readonly director: string;
  /** Effective priority. */
  readonly priority: number;
  readonly state?: string;
}

export interface ExpectedTakeover {
  readonly instance: string;
  /** The director that takes over: the highest priority among those that are not MASTER now. */
  readonly director: string;
  readonly priority: number;
  /**
   * The MASTER goes silent (crash, host or link down): the BACKUP waits master_down_interval. (It counts from the last
   * advert it heard, so the gap after the failure is up to one advert_int shorter.)
   */
  readonly onSilenceSec: number;
  /**
   * The MASTER steps down (keepalived stopped, FAULT, priority dropped): it sends a priority-0 advert and the BACKUP
   * waits only skew_time (vrrp.c: a priority-0 advert sets ms_down_timer to VRRP_TIMER_SKEW).
   */
  readonly onReleaseSec: number;
}

/** The takeover the instance's timers promise, or undefined when no peer is there to take over. */
export function expectedTakeover(
  instance: string,
  peers: readonly VrrpPeer[],
  timing: VrrpTiming,
): ExpectedTakeover | undefined {
  const next = peers
    .filter((p) => p.state !== 'MASTER')
    .sort((a, b) => b.priority - a.priority || (a.director < b.director ? -1 : 1))[0];
  if (!next) return undefined;
  return {
    instance,
    director: next.director,
    priority: next.priority,
    onSilenceSec: masterDownInterval(next.priority, timing),
    onReleaseSec: skewTime(next.priority, timing),
  };
}

export interface MeasuredTakeover {
  readonly instance: string;
  /** The director that was MASTER, and the one that became MASTER. */
  readonly from: string;
  readonly to: string;
  /** When `from` logged leaving MASTER (absent when it logged nothing: it went silent). */
  readonly leftAt?: number;
  readonly masterAt: number;
  /**
   * From the old MASTER's leaving line to the new MASTER's line, whole seconds as the logs have them (so the real time
   * is within one second of it); 0 when the new MASTER came first (a preemption). Absent for a silent old MASTER.
   */
  readonly seconds?: number;
  /** released: the old MASTER logged stepping down first; preempted: the new one came first; silent: no word. */
  readonly how: 'released' | 'preempted' | 'silent';
  /** What the old MASTER logged (STOP, BACKUP, FAULT). */
  readonly leftAs?: string;
}

/** A new MASTER's line and an old MASTER's leaving line this close are one handover. */
const HANDOVER_WINDOW_SEC = 5;
/** An old MASTER's leaving line this long before the new MASTER's is a different story. */
const MAX_GAP_SEC = 300;

interface Event extends NotifyLine {
  readonly director: string;
}

/** Every director's notify lines of one instance, in time order, leaving lines first within a second. */
function timeline(logs: ReadonlyMap<string, readonly NotifyLine[]>, instance: string): Event[] {
  const out: Event[] = [];
  for (const [director, lines] of logs)
    for (const l of lines) if (l.instance === instance) out.push({ ...l, director });
  const rank = (e: Event) => (e.state === 'MASTER' ? 1 : 0);
  return out.sort((a, b) => Math.floor(a.at) - Math.floor(b.at) || rank(a) - rank(b) || a.at - b.at);
}

/**
 * Takeovers of one instance the notify logs show (director → its parsed notify log), oldest first. `nowSec` is when
 * the logs were read: a new MASTER whose predecessor has not logged stepping down is judged (silent) only once
 * HANDOVER_WINDOW_SEC have passed, so an old MASTER whose log is read a poll later is not called silent meanwhile.
 */
export function measuredTakeovers(
  logs: ReadonlyMap<string, readonly NotifyLine[]>,
  instance: string,
  nowSec = Infinity,
): MeasuredTakeover[] {
  const out: MeasuredTakeover[] = [];
  const masters = new Map<string, number>();
  let left: Event | undefined;
  /** New MASTERs that came while another still was: waiting for it to step down. */
  let waiting: { to: Event; from: string }[] = [];
  const settle = (now: number) => {
    for (const w of waiting.filter((x) => now - x.to.at > HANDOVER_WINDOW_SEC))
      out.push({ instance, from: w.from, to: w.to.director, masterAt: w.to.at, how: 'silent' });
    waiting = waiting.filter((x) => now - x.to.at <= HANDOVER_WINDOW_SEC);
  };
  for (const e of timeline(logs, instance)) {
    settle(e.at);
    if (e.state === 'MASTER') {
      const other = [...masters.keys()].find((d) => d !== e.director);
      if (other) waiting.push({ to: e, from: other });
      else if (left && left.director !== e.director && e.at - left.at <= MAX_GAP_SEC)
        out.push({
          instance,
          from: left.director,
          to: e.director,
          leftAt: left.at,
          masterAt: e.at,
          seconds: Math.max(0, Math.floor(e.at) - Math.floor(left.at)),
          how: 'released',
          leftAs: left.state,
        });
      masters.set(e.director, e.at);
      left = undefined;
    } else if (masters.delete(e.director)) {
      const w = waiting.find((x) => x.from === e.director);
      waiting = waiting.filter((x) => x !== w);
      if (w)
        out.push({
          instance,
          from: e.director,
          to: w.to.director,
          leftAt: e.at,
          masterAt: w.to.at,
          seconds: 0,
          how: 'preempted',
          leftAs: e.state,
        });
      else left = e;
    }
  }
  settle(nowSec);
  return out.sort((a, b) => a.masterAt - b.masterAt);
}

/** A takeover measured against what the timers promise: slow only when even the rounding cannot explain it. */
export function takeoverVerdict(m: MeasuredTakeover, e: ExpectedTakeover): { expectedSec: number; slow: boolean } {
  const expectedSec = m.how === 'silent' ? e.onSilenceSec : e.onReleaseSec;
  return { expectedSec, slow: m.seconds !== undefined && m.seconds - 1 > expectedSec };
}

export const FLAP_WINDOW_SEC = 600;
export const FLAP_TRANSITIONS = 3;

export interface FlapReading {
  readonly director: string;
  readonly instance: string;
  /** State changes in the window ending now (a line repeating the state before it is no change). */
  readonly transitions: number;
  readonly flapping: boolean;
}

/**
 * Flapping: 3 or more state changes of one instance on one director in the last 10 minutes. The first line of a log
 * has nothing before it and is not counted; a keepalived restart (STOP, BACKUP, MASTER) is three changes.
 */
export function flapping(logs: ReadonlyMap<string, readonly NotifyLine[]>, nowSec: number): FlapReading[] {
  const out: FlapReading[] = [];
  for (const [director, lines] of logs) {
    const last = new Map<string, string>();
    const counts = new Map<string, number>();
    for (const l of [...lines].sort((a, b) => a.at - b.at)) {
      const before = last.get(l.instance);
      last.set(l.instance, l.state);
      if (!counts.has(l.instance)) counts.set(l.instance, 0);
      if (before === undefined || before === l.state || l.at > nowSec || nowSec - l.at > FLAP_WINDOW_SEC) continue;
      counts.set(l.instance, counts.get(l.instance)! + 1);
    }
    for (const [instance, transitions] of counts)
      out.push({ director, instance, transitions, flapping: transitions >= FLAP_TRANSITIONS });
  }
  return out;
}
