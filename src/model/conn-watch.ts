import type { ConnTableCounts } from '../../collectors/ipvs-conns.js';
import type { IpvsTable } from '../../collectors/ipvs-types.js';
import type { ConnTableRead, DirectorDrains, ServerConns, WatchedConns } from '../store/drain-slice.js';
import type { LvsState } from '../store/lvs-state.js';
import { groupsOf } from './drain-progress.js';
import { breakdown, drainTargets, nextDrains, watchTargets, type DrainWatchTarget } from './drain-watch.js';

/**
 * Every real server's share of a director's connection table, read while a console shows the Connections view of a
 * cluster it serves. Kept apart from the drains: a server above weight 0 is counted here and never followed as a
 * drain (no drained time, no `rs-drained` event, no line under it in Services).
 */

/** How often a director's connection table is read while watched or draining: every other poll, at least 5 s apart. */
export const connReadPeriodMs = (pollIntervalMs: number): number => Math.max(5000, 2 * pollIntervalMs);

/** Whether a console shows the Connections view of a cluster this director serves. */
export function connectionsWatchedOn(
  state: Pick<LvsState, 'clusters' | 'connectionsWatched'>,
  director: string,
): boolean {
  const watched = state.connectionsWatched;
  return watched.length > 0 && state.clusters.some((c) => watched.includes(c.name) && c.directors.includes(director));
}

/** The read's groups by real server address: each server is then matched against its own few groups only. */
function byAddress(counts: ConnTableCounts): Map<string, ConnTableCounts> {
  const lists = new Map<string, ConnTableCounts['groups'][number][]>();
  for (const g of counts.groups) {
    const key = g.serverAddress.toLowerCase();
    const list = lists.get(key);
    if (list) list.push(g);
    else lists.set(key, [g]);
  }
  return new Map([...lists].map(([address, groups]) => [address, { ...counts, groups }]));
}

const NO_GROUPS: ConnTableCounts = {
  groups: [],
  entries: 0,
  lines: 0,
  header: true,
  garbage: 0,
  garbageSamples: [],
  ungrouped: 0,
  truncated: false,
};

function serverConns(t: DrainWatchTarget, counts: ConnTableCounts): ServerConns {
  let active = 0;
  let inactive = 0;
  let templates = 0;
  let left = -1;
  for (const g of groupsOf(counts, t.target)) {
    active += g.active;
    inactive += g.inactive;
    templates += g.templates;
    if (g.longestTemplateExpiry !== undefined) left = Math.max(left, g.longestTemplateExpiry);
  }
  return {
    serviceKey: t.serviceKey,
    serverKey: t.serverKey,
    active,
    inactive,
    templates,
    ...(left >= 0 ? { templateLeftSec: left } : {}),
    ...breakdown(counts, t.target),
  };
}

/**
 * Every target's counts after a read; a read that failed (or brought no counts) keeps the last ones, which the
 * director's `read` then says are from before it.
 */
export function nextConns(
  prev: WatchedConns | undefined,
  targets: readonly DrainWatchTarget[],
  read: ConnTableRead,
  counts: ConnTableCounts | undefined,
): WatchedConns | undefined {
  if (!read.ok || !counts) return prev;
  const groups = byAddress(counts);
  const servers: Record<string, ServerConns> = {};
  for (const t of targets) servers[t.key] = serverConns(t, groups.get(t.target.address.toLowerCase()) ?? NO_GROUPS);
  return { read, complete: counts.header && !counts.truncated && counts.ungrouped === 0, servers };
}

/**
 * The director's drains after a read of its table: its weight-0 servers followed as drains, exactly as without a
 * view, and, while a Connections view watches it, every server's counts beside them (dropped when none watches).
 */
export function afterTableRead(
  host: string,
  prev: DirectorDrains | undefined,
  table: IpvsTable,
  watched: boolean,
  read: ConnTableRead,
  counts: ConnTableCounts | undefined,
): DirectorDrains {
  const drains = nextDrains(host, prev, drainTargets(table), read, counts);
  const conns = watched ? nextConns(prev?.conns, watchTargets(table), read, counts) : undefined;
  return conns ? { ...drains, conns } : drains;
}
