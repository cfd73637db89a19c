import type { RealServerHealth } from './rs-health.js';

/**
 * The floor under a service's healthy weighted servers: a weight change that would leave fewer of them than
 * `minHealthy` asks for is guarded (the console asks for the server's name typed out; headless runs exit 3 unless
 * forced), and the preview says which servers count as healthy and why.
 */

/** A count of servers, or a percentage of the servers that carry weight before the change (rounded up). */
export type MinHealthy = { readonly count: number } | { readonly percent: number };

/** At least one healthy server with weight. */
export const DEFAULT_MIN_HEALTHY: MinHealthy = { count: 1 };

/** One real server of the service as the floor sees it. */
export interface FloorRow {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** Probe and checker both say up (true), either says down (false), nothing known (undefined). */
  readonly healthy: boolean | undefined;
  /** What the verdict rests on, in words. */
  readonly why: string;
  /** No probe covers this server (UDP, fwmark, probes turned off) and no checker judges it: its health is never known. */
  readonly unprobed?: boolean;
}

export interface WeightChange {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
}

export interface FloorServer extends FloorRow {
  readonly weightAfter: number;
  /** Healthy and weighted after the change: it counts toward the floor. */
  readonly counts: boolean;
}

export interface FloorCheck {
  /** Healthy weighted servers the floor asks for. */
  readonly floor: number;
  readonly healthyBefore: number;
  readonly healthyAfter: number;
  /** The change leaves fewer healthy weighted servers than the floor, and fewer than there are now. */
  readonly guarded: boolean;
  readonly servers: readonly FloorServer[];
  readonly healthyWeightAfter: number;
  readonly weightBefore: number;
  /** Set when the healthy servers would carry under half of the service's weight before the change. */
  readonly warning?: string;
  /** One line for the preview. */
  readonly summary: string;
}

const sameServer = (a: { address: string; port: number }, b: { address: string; port: number }) =>
  a.address.toLowerCase() === b.address.toLowerCase() && a.port === b.port;

function floorOf(min: MinHealthy, weightedBefore: number): number {
  if ('count' in min) return Math.max(0, Math.floor(min.count));
  return Math.ceil((Math.min(100, Math.max(0, min.percent)) / 100) * weightedBefore);
}

/**
 * Check a weight change (one server's, or several at once: a host-wide drain) against the floor. A change that does
 * not lower the number of healthy weighted servers is never guarded, even below the floor: restoring a server, or
 * draining one that is down, must stay possible while the service is short. A probed server whose health is not
 * known now (no recent probe: a director too busy to answer, a probe that timed out) may be the healthy one: taking
 * all its weight away below the floor is guarded too, and the summary names it. A server no probe covers is not.
 */
export function checkHealthyFloor(
  rows: readonly FloorRow[],
  change: WeightChange | readonly WeightChange[],
  min: MinHealthy = DEFAULT_MIN_HEALTHY,
): FloorCheck {
  const changes = Array.isArray(change) ? change : [change as WeightChange];
  const servers = rows.map((r): FloorServer => {
    const weightAfter = changes.find((c) => sameServer(c, r))?.weight ?? r.weight;
    return { ...r, weightAfter, counts: r.healthy === true && weightAfter > 0 };
  });
  const floor = floorOf(min, rows.filter((r) => r.weight > 0).length);
  const healthyBefore = rows.filter((r) => r.healthy === true && r.weight > 0).length;
  const healthyAfter = servers.filter((s) => s.counts).length;
  const unknownTaken = servers.filter(
    (s) => s.healthy === undefined && !s.unprobed && s.weight > 0 && s.weightAfter === 0,
  );
  const guarded = healthyAfter < floor && (healthyAfter < healthyBefore || unknownTaken.length > 0);
  const weightBefore = rows.reduce((n, r) => n + r.weight, 0);
  const healthyWeightAfter = servers.reduce((n, s) => n + (s.counts ? s.weightAfter : 0), 0);
  const share = weightBefore > 0 ? Math.round((healthyWeightAfter / weightBefore) * 100) : 0;
  const warning =
    weightBefore > 0 && healthyWeightAfter * 2 < weightBefore
      ? `healthy servers would carry ${healthyWeightAfter} of the ${weightBefore} weight (${share}%), under half`
      : undefined;
  const floorText = 'percent' in min ? `${min.percent}% of ${rows.filter((r) => r.weight > 0).length}` : `${floor}`;
  const summary =
    `${healthyAfter} healthy weighted server${healthyAfter === 1 ? '' : 's'} after the change ` +
    `(now ${healthyBefore}); the floor is ${floor}${'percent' in min ? ` (${floorText})` : ''}` +
    (guarded ? ': below the floor' : '') +
    (guarded && unknownTaken.length > 0
      ? `; health unknown: ${unknownTaken.map((u) => `${u.address}:${u.port}`).join(', ')}`
      : '');
  return {
    floor,
    healthyBefore,
    healthyAfter,
    guarded,
    servers,
    healthyWeightAfter,
    weightBefore,
    ...(warning ? { warning } : {}),
    summary,
  };
}

/** What a health verdict rests on, in words: `probe up 12ms, keepalived HTTP_GET up`, `probe down: connection refused`. */
export function healthReason(h: RealServerHealth): string {
  const parts: string[] = [];
  const p = h.probe;
  if (h.verdict === 'up') parts.push(`probe up ${Math.round(p?.ms ?? 0)}ms`);
  else if (h.verdict === 'down') parts.push(`probe down${p?.detail ? `: ${p.detail}` : ''}`);
  else if (h.verdict === 'failing')
    parts.push(`probe failing (${p?.failures ?? 1} in a row${p?.detail ? `: ${p.detail}` : ''})`);
  else if (h.verdict === 'unknown') parts.push('no recent probe');
  else parts.push('not probed');
  if (h.checker) parts.push(`keepalived ${h.checker.kind} ${h.checker.up ? 'up' : 'down'}`);
  return parts.join(', ');
}

/** The floor's rows of one service from a director's health verdicts (rs-health's directorHealth). */
export function floorRows(health: readonly RealServerHealth[], serviceKey: string): FloorRow[] {
  return health
    .filter((h) => h.service.key === serviceKey)
    .map((h) => ({
      address: h.address,
      port: h.port,
      weight: h.rs?.weight ?? 0,
      healthy: h.healthy,
      why: healthReason(h),
      ...(h.verdict === 'not-probed' && h.healthy === undefined ? { unprobed: true } : {}),
    }));
}
