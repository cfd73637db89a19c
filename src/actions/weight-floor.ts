import type { ClusterConfig } from '../config/config-schema.js';
import { checkHealthyFloor, DEFAULT_MIN_HEALTHY, type FloorRow, type MinHealthy } from '../model/healthy-floor.js';
import type { ActionContext } from './action-context.js';
import type { WeightEdit } from './action-types.js';
import type { IpvsTables } from './live-read.js';
import { unique } from './plan-common.js';

/** The floor a cluster's config asks for: `minHealthy` as a count or "N%"; at least one healthy server by default. */
export function minHealthyOf(cluster: Pick<ClusterConfig, 'minHealthy'>): MinHealthy {
  const m = cluster.minHealthy;
  if (m === undefined) return DEFAULT_MIN_HEALTHY;
  return typeof m === 'number' ? { count: m } : { percent: Number(m.slice(0, -1)) };
}

/** What the floor says of a weight change: guard reasons, the preview's health lines, and warnings. */
export interface FloorVerdict {
  readonly guards: readonly string[];
  readonly lines: readonly string[];
  readonly warnings: readonly string[];
}

const verdictWord = (h: boolean | undefined) => (h === true ? 'healthy' : h === false ? 'unhealthy' : 'unknown');

/** The rows with the weights just read live (the health source may be a poll behind). */
function withLiveWeights(rows: readonly FloorRow[], tables: IpvsTables, host: string, key: string): FloorRow[] {
  const svc = tables.get(host)?.table.services.find((s) => s.key === key);
  return rows.map((r) => {
    const live = svc?.realServers.find(
      (rs) => rs.address.toLowerCase() === r.address.toLowerCase() && rs.port === r.port,
    );
    return live ? { ...r, weight: live.weight } : r;
  });
}

/**
 * Check every service a weight change touches against the cluster's floor of healthy weighted servers, with the
 * health verdicts the context knows (none known: nothing is guarded, the preview says so).
 */
export async function floorVerdict(
  ctx: ActionContext,
  cluster: Pick<ClusterConfig, 'minHealthy'>,
  edits: readonly WeightEdit[],
  tables: IpvsTables,
): Promise<FloorVerdict> {
  const min = minHealthyOf(cluster);
  const guards: string[] = [];
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const group of unique(edits.map((e) => `${e.host}\u0000${e.service.key}`))) {
    const [host, key] = group.split('\u0000') as [string, string];
    const service = tables.get(host)?.table.services.find((s) => s.key === key);
    const found = service ? await ctx.floorRows?.(host, service) : undefined;
    if (!found || found.length === 0) {
      lines.push(`${host} ${key}: no health verdicts known; the floor of healthy servers is not checked`);
      continue;
    }
    const changes = edits
      .filter((e) => e.host === host && e.service.key === key)
      .map((e) => ({ address: e.address, port: e.port, weight: e.after }));
    const check = checkHealthyFloor(withLiveWeights(found, tables, host, key), changes, min);
    lines.push(`${host} ${key}: ${check.summary}`);
    for (const s of check.servers)
      lines.push(
        `  ${s.address}:${s.port} ${verdictWord(s.healthy)} (${s.why}), weight ${s.weight} → ${s.weightAfter}`,
      );
    if (check.guarded) guards.push(`${host} ${key}: ${check.summary}`);
    if (check.warning) warnings.push(`${host} ${key}: ${check.warning}`);
  }
  return { guards, lines, warnings };
}
