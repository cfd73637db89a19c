import { healthAlerts, type HealthAlert } from '../src/model/health-alerts.js';
import { vrrpAlerts, type VrrpAlert } from '../src/model/vrrp.js';
import { staleParts } from '../src/render/part-freshness.js';
import type { LvsState } from '../src/store/lvs-store.js';
import type { ClusterInfo } from '../src/store/store-types.js';

export const MAX_ALERT_LINES = 3;

const judged = new WeakMap<ClusterInfo, { inputs: unknown[]; alerts: VrrpAlert[] }>();

/** A cluster's VRRP alerts, judged again only when one of its directors' entries changed (a frame per fleet poll). */
function clusterAlerts(s: LvsState, c: ClusterInfo): VrrpAlert[] {
  const inputs = Object.keys(c.keepalived).flatMap((d) => [s.keepalived[d], s.hosts[d]]);
  const last = judged.get(c);
  if (last && last.inputs.length === inputs.length && last.inputs.every((x, i) => x === inputs[i])) return last.alerts;
  const alerts = vrrpAlerts(s, c);
  judged.set(c, { inputs, alerts });
  return alerts;
}

const judgedHealth = new WeakMap<ClusterInfo, { inputs: unknown[]; alerts: HealthAlert[] }>();

/** A cluster's critical service-health alerts, judged again when its directors' data changed or an interval passed. */
function clusterHealth(s: LvsState, c: ClusterInfo, now: number): HealthAlert[] {
  const inputs = [
    Math.floor(now / s.pollIntervalMs),
    ...c.directors.flatMap((d) => [s.ipvs[d], s.probes[d], s.keepalived[d], s.hosts[d]]),
  ];
  const last = judgedHealth.get(c);
  if (last && last.inputs.length === inputs.length && last.inputs.every((x, i) => x === inputs[i])) return last.alerts;
  const alerts = healthAlerts(s, c, now).filter((a) => a.severity === 'critical');
  judgedHealth.set(c, { inputs, alerts });
  return alerts;
}

/**
 * Split brain first and loudest, then services that fail (a dead server still in rotation, with the drain command),
 * then hosts down, then stale data. `loud` lines get the red banner.
 */
export function alertLines(s: LvsState, now: number): { text: string; loud: boolean }[] {
  const out: { text: string; loud: boolean }[] = [];
  for (const c of s.clusters)
    for (const a of clusterAlerts(s, c))
      out.push({
        text: a.kind === 'split-brain' ? `SPLIT BRAIN ${c.name}: ${a.message}` : `${c.name}: ${a.message}`,
        loud: true,
      });
  for (const c of s.clusters)
    for (const a of clusterHealth(s, c, now))
      out.push({ text: `${c.name}: ${a.message}${a.fix ? ` Fix: ${a.fix}` : ''}`, loud: true });
  const down = Object.values(s.hosts).filter((h) => h.status === 'down');
  if (down.length > 0)
    out.push({ text: `hosts down: ${down.map((h) => `${h.name} (${h.error?.kind ?? '?'})`).join(', ')}`, loud: false });
  const slow = Object.values(s.hosts).filter((h) => h.status === 'slow');
  if (slow.length > 0)
    out.push({
      text: `slow: ${slow.map((h) => `${h.name} ${staleParts(h, now).join(', ')}`).join('; ')}`,
      loud: false,
    });
  const stale = Object.values(s.hosts).filter(
    (h) => h.status === 'up' && h.readAt !== undefined && now - h.readAt > s.pollIntervalMs * 2 + 1000,
  );
  if (stale.length > 0) out.push({ text: `stale data: ${stale.map((h) => h.name).join(', ')}`, loud: false });
  return out.slice(0, MAX_ALERT_LINES);
}
