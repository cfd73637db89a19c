import type { ClientCount, ConnTableCounts } from '../../collectors/ipvs-conns.js';
import { rateKey, realServerKey } from '../../collectors/ids.js';
import type { IpvsRealServer, IpvsTable } from '../../collectors/ipvs-types.js';
import type { ConnTableRead, DirectorDrains, ServerDrain } from '../store/drain-slice.js';
import { drainState, groupsOf, type DrainTarget } from './drain-progress.js';

/** A real server on one service of a director: what a read of the connection table is counted for. */
export interface DrainWatchTarget {
  readonly key: string;
  readonly serviceKey: string;
  readonly serverKey: string;
  readonly target: DrainTarget;
  /** What `ipvsadm -L -n` counts for it: ActiveConn + InActConn. */
  readonly listed: number;
}

/** The real servers of the director's table that `which` picks (all by default), as targets of a read. */
export function watchTargets(
  table: IpvsTable,
  which: (rs: IpvsRealServer) => boolean = () => true,
): DrainWatchTarget[] {
  const out: DrainWatchTarget[] = [];
  for (const s of table.services)
    for (const rs of s.realServers) {
      if (!which(rs)) continue;
      // A fwmark service's connections carry the address and port the client used, its templates `FWM n`: only the
      // server's address names its entries.
      const target: DrainTarget =
        s.fwmark === undefined ? { address: rs.address, port: rs.port, serviceKey: s.key } : { address: rs.address };
      out.push({
        key: rateKey(s.key, rs),
        serviceKey: s.key,
        serverKey: realServerKey(rs),
        target,
        listed: rs.activeConns + rs.inactiveConns,
      });
    }
  return out;
}

/** Every real server at weight 0 in the director's table. */
export const drainTargets = (table: IpvsTable): DrainWatchTarget[] => watchTargets(table, (rs) => rs.weight === 0);

/**
 * Whether the connection table must be read: a server at weight 0 not yet seen drained, or one seen drained that
 * the IPVS list shows connections for again. A director whose weight-0 servers are all drained and idle is not read.
 */
export function needsRead(prev: DirectorDrains | undefined, targets: readonly DrainWatchTarget[]): boolean {
  return targets.some((t) => {
    const s = prev?.servers[t.key];
    return !s || s.drainedAt === undefined || t.listed > 0;
  });
}

/** Top clients kept per server. */
const TOP_CLIENTS = 5;

/** The states and top clients of the server's groups (one per service it is in for a fwmark or whole-host target). */
export function breakdown(counts: ConnTableCounts, target: DrainTarget) {
  const states: Record<string, number> = {};
  const clients = new Map<string, ClientCount>();
  for (const g of groupsOf(counts, target)) {
    for (const [k, n] of Object.entries(g.states)) states[k] = (states[k] ?? 0) + n;
    for (const c of g.topClients) {
      const had = clients.get(c.address);
      clients.set(c.address, had ? { ...c, count: had.count + c.count, error: had.error + c.error } : c);
    }
  }
  const topClients = [...clients.values()].sort((a, b) => b.count - a.count).slice(0, TOP_CLIENTS);
  return { states, topClients };
}

/** One server after a read: its counts, whether clients came back since the last read, when it was first drained. */
function afterRead(
  prev: ServerDrain | undefined,
  t: DrainWatchTarget,
  counts: ConnTableCounts,
  at: number,
): ServerDrain {
  const state = drainState({ at, counts }, t.target);
  const left = state.active + state.inactive + state.templates;
  const elapsedSec = prev ? (at - prev.state.at) / 1000 : 0;
  const renewed = !!prev && state.atMostSec > 0 && state.atMostSec > prev.state.atMostSec - elapsedSec + 1;
  const drainedAt = state.drained ? (prev?.drainedAt ?? at) : undefined;
  return {
    serviceKey: t.serviceKey,
    serverKey: t.serverKey,
    since: prev?.since ?? at,
    state,
    hadEntries: (prev?.hadEntries ?? false) || left > 0,
    ...(drainedAt === undefined ? {} : { drainedAt }),
    renewed,
    ...breakdown(counts, t.target),
  };
}

/**
 * The director's drains after a read (`counts` absent when the read failed or was not needed): servers back above
 * weight 0 are dropped, the others take this read's counts, or keep their last ones when there are none.
 */
export function nextDrains(
  host: string,
  prev: DirectorDrains | undefined,
  targets: readonly DrainWatchTarget[],
  read: ConnTableRead,
  counts: ConnTableCounts | undefined,
): DirectorDrains {
  const servers: Record<string, ServerDrain> = {};
  for (const t of targets) {
    const before = prev?.servers[t.key];
    const now = counts ? afterRead(before, t, counts, read.at) : before;
    if (now) servers[t.key] = now;
  }
  return { host, read, servers };
}
