import { vrrpAlerts } from '../src/model/vrrp.js';
import { staleParts } from '../src/render/part-freshness.js';
import type { LvsState } from '../src/store/lvs-store.js';

export const MAX_ALERT_LINES = 3;

/** Split brain first and loudest, then hosts down, then stale data. `loud` lines get the red banner. */
export function alertLines(s: LvsState, now: number): { text: string; loud: boolean }[] {
  const out: { text: string; loud: boolean }[] = [];
  for (const c of s.clusters)
    for (const a of vrrpAlerts(s, c))
      out.push({
        text: a.kind === 'split-brain' ? `SPLIT BRAIN ${c.name}: ${a.message}` : `${c.name}: ${a.message}`,
        loud: true,
      });
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
