import type { ConnGroupCounts, ConnTableCounts } from '../../collectors/ipvs-conns.js';

/**
 * How far a drain has come, from successive reads of a director's connection table (`ipvsadm -L -n -c`): per real
 * server the connections and persistence templates left, an upper bound on how long they can last, and the moment the
 * server is drained (no connection, no template: stopping it now breaks no one).
 */

/** One read of a director's connection table and when it was made (ms, console clock). */
export interface ConnReading {
  readonly at: number;
  readonly counts: ConnTableCounts;
}

/** Which entries belong to the server. */
export interface DrainTarget {
  readonly address: string;
  /**
   * Without a port every entry toward the address counts; with one, entries to that port and port 0 (the templates of
   * port-zero and fwmark services carry port 0).
   */
  readonly port?: number;
  /**
   * Only one service (`TCP 10.18.11.40:80`). Leave it out for a whole-host drain, and for a fwmark service: its
   * connections carry the address the client used, its templates `FWM n`.
   */
  readonly serviceKey?: string;
}

export interface DrainState {
  readonly active: number;
  readonly inactive: number;
  readonly templates: number;
  /**
   * Seconds until the last of these entries is gone if no packet for them arrives: never shorter than the real time
   * (see atMostSeconds). 0 when nothing is left.
   */
  readonly atMostSec: number;
  /** The whole table was read: without that, nothing is judged drained. */
  readonly complete: boolean;
  /** Nothing left, from a complete read. */
  readonly drained: boolean;
  readonly at: number;
}

/**
 * The kernel re-arms a template whose timer fires while it still controls connections with this many seconds
 * (ip_vs_conn_expire: `cp->timeout = 60*HZ` at expire_later), again and again until they are gone.
 */
export const TEMPLATE_REARM_SEC = 60;

/**
 * The upper bound on the time the groups' entries can last, in seconds. ipvsadm prints each entry's time left rounded
 * down to the second, so the real time is up to one second more: the longest expiry plus one. A template outlives its
 * own time while connections it controls live: the kernel re-arms it for TEMPLATE_REARM_SEC each time it fires, so it
 * goes within TEMPLATE_REARM_SEC after its last connection. Which connections a template controls is not in the
 * listing; when any connection outlasts any template, every template may last until TEMPLATE_REARM_SEC past the
 * longest connection. Traffic moves the bound (a packet re-arms its connection's timer, a returning client its
 * template): each read computes it again, so the shown time never falls short of the truth by more than what changed
 * since the last read.
 */
export function atMostSeconds(groups: readonly ConnGroupCounts[]): number {
  let conn = -1;
  let template = -1;
  let shortestTemplate = Infinity;
  for (const g of groups) {
    if (g.longestConnExpiry !== undefined) conn = Math.max(conn, g.longestConnExpiry);
    if (g.longestTemplateExpiry !== undefined) template = Math.max(template, g.longestTemplateExpiry);
    if (g.shortestTemplateExpiry !== undefined) shortestTemplate = Math.min(shortestTemplate, g.shortestTemplateExpiry);
  }
  if (conn < 0 && template < 0) return 0;
  const rearmed = template >= 0 && conn >= shortestTemplate ? conn + TEMPLATE_REARM_SEC : -1;
  return Math.max(conn, template, rearmed) + 1;
}

/** The groups of a read that belong to the server. */
export const groupsOf = (counts: ConnTableCounts, t: DrainTarget): ConnGroupCounts[] => counts.groups.filter(isOf(t));

const isOf = (t: DrainTarget) => (g: ConnGroupCounts) =>
  g.serverAddress.toLowerCase() === t.address.toLowerCase() &&
  (t.port === undefined || g.serverPort === t.port || g.serverPort === 0) &&
  (t.serviceKey === undefined || g.serviceKey === t.serviceKey);

/** What one read says of one server. */
export function drainState(reading: ConnReading, target: DrainTarget): DrainState {
  const groups = reading.counts.groups.filter(isOf(target));
  const sum = (f: (g: ConnGroupCounts) => number) => groups.reduce((n, g) => n + f(g), 0);
  const active = sum((g) => g.active);
  const inactive = sum((g) => g.inactive);
  const templates = sum((g) => g.templates);
  const c = reading.counts;
  const complete = c.header && !c.truncated && c.ungrouped === 0;
  return {
    active,
    inactive,
    templates,
    atMostSec: atMostSeconds(groups),
    complete,
    drained: complete && active + inactive + templates === 0,
    at: reading.at,
  };
}

/** A duration rounded up, so it never reads shorter than it is: `45s`, `3m10s`, `1h05m`. */
export function roundUpDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.ceil(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `draining: 42 active, 130 templates, at most 3m10s`; `drained`; or why the read cannot tell. */
export function drainText(d: DrainState): string {
  if (d.drained) return 'drained';
  const parts = [`${d.active} active`];
  if (d.inactive > 0) parts.push(`${d.inactive} inactive`);
  parts.push(`${d.templates} template${d.templates === 1 ? '' : 's'}`);
  const left = d.active + d.inactive + d.templates;
  const tail = left > 0 ? `, at most ${roundUpDuration(d.atMostSec)}` : '';
  return `draining: ${parts.join(', ')}${tail}${d.complete ? '' : ' (table read cut short: at least this many)'}`;
}

export interface DrainProgress {
  readonly state: DrainState;
  /** This read is the first to find the server drained: the moment for the "drained" event. */
  readonly drainedNow: boolean;
  /**
   * Entries lasting longer than the last read allowed for: traffic came (a returning client renewed a template, a
   * connection sent data). Worth saying, as the countdown went up.
   */
  readonly renewed: boolean;
}

/** Compare a read with the one before it (absent for the first read of a drain). */
export function drainProgress(prev: ConnReading | undefined, next: ConnReading, target: DrainTarget): DrainProgress {
  const state = drainState(next, target);
  if (!prev) return { state, drainedNow: state.drained, renewed: false };
  const before = drainState(prev, target);
  const elapsedSec = (next.at - prev.at) / 1000;
  return {
    state,
    drainedNow: state.drained && !before.drained,
    renewed: state.atMostSec > 0 && state.atMostSec > before.atMostSec - elapsedSec + 1,
  };
}
