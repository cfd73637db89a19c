import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { doctorChecks } from './doctor.js';
import { ipvsDrift } from './ipvs-drift.js';
import { replicationRows, type Level } from './replication-view.js';
import { healthAlerts } from './health-alerts.js';
import { vrrpAlerts } from './vrrp.js';

export interface ClusterOverview {
  readonly name: string;
  readonly level: Level;
  readonly headline: readonly string[];
  readonly reasons: readonly string[];
}

export const LEVEL_RANK: Record<Level, number> = { ok: 0, unknown: 1, warn: 2, critical: 3 };
export const worst = (levels: readonly Level[]): Level =>
  levels.reduce<Level>((a, b) => (LEVEL_RANK[b] > LEVEL_RANK[a] ? b : a), 'ok');

/** A cluster's worst state and why, plus headline numbers. */
export function clusterOverview(state: LvsState, cluster: ClusterInfo, now: number): ClusterOverview {
  const reasons: { level: Level; text: string }[] = [];
  const hosts = [
    ...new Set([
      ...cluster.directors,
      ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : [])),
      ...cluster.nfs.map((n) => n.host),
    ]),
  ];
  for (const h of hosts) {
    const rt = state.hosts[h];
    if (rt?.status === 'down') reasons.push({ level: 'critical', text: `${h} down (${rt.error?.kind ?? 'error'})` });
    else if (rt?.readAt !== undefined && now - rt.readAt > state.pollIntervalMs * 2 + 1000)
      reasons.push({ level: 'warn', text: `${h} data stale` });
  }
  for (const a of vrrpAlerts(state, cluster))
    reasons.push({
      level: a.kind === 'flapping' ? 'warn' : 'critical',
      text: a.kind === 'split-brain' ? `SPLIT BRAIN: ${a.message}` : a.message,
    });
  for (const a of healthAlerts(state, cluster, now))
    reasons.push({ level: a.severity === 'critical' ? 'critical' : 'warn', text: a.message });
  let services = 0;
  let active = 0;
  let cps = 0;
  for (const d of cluster.directors) {
    const ipvs = state.ipvs[d];
    // A down director's table is history: its services are not counted and not judged.
    if (ipvs?.reading.status !== 'ok' || state.hosts[d]?.status === 'down') continue;
    for (const s of ipvs.reading.table.services) {
      services += 1;
      active += s.realServers.reduce((a, r) => a + r.activeConns, 0);
      cps += ipvs.serviceRates[s.key]?.connsPerSec ?? 0;
      if (s.realServers.length > 0 && s.realServers.every((r) => r.weight === 0))
        reasons.push({ level: 'critical', text: `${d} ${s.key}: no real server with weight > 0` });
    }
  }
  const drift = ipvsDrift(state, cluster);
  if (drift.length > 0) reasons.push({ level: 'warn', text: `IPVS drift between directors (${drift.length})` });
  for (const r of replicationRows(state, cluster))
    if (r.level === 'warn' || r.level === 'critical')
      reasons.push({ level: r.level, text: `replication ${r.name} lag ${r.lagSeconds ?? '?'}s` });
  for (const m of cluster.nfs) {
    const n = state.nfs[m.id];
    if (n?.health && n.health !== 'OK')
      reasons.push({
        level: n.health === 'SLOW' ? 'warn' : 'critical',
        text: `NFS ${m.host}:${m.mountpoint} ${n.health}`,
      });
  }
  for (const c of doctorChecks(state, cluster))
    if (c.pass === false) reasons.push({ level: 'warn', text: `doctor: ${c.host} ${c.title}` });
  return {
    name: cluster.name,
    level: worst(reasons.map((r) => r.level)),
    headline: [`${services} services`, `${active} active`, `${Math.round(cps * 10) / 10} conn/s`],
    reasons: reasons.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]).map((r) => r.text),
  };
}
