import type { LvsState } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
import type { EmitEvent } from './table-events.js';

/**
 * A drain that finished: the first read with nothing left for a server that had connections or templates when it was
 * first read. Stopping it now breaks no one. A server found idle at weight 0 raises nothing.
 */
export function drainEvents(prev: LvsState, next: LvsState, ev: EmitEvent): void {
  for (const host of changedKeys(prev.drains, next.drains, next.changes?.drains)) {
    const servers = next.drains[host]?.servers ?? {};
    for (const [key, d] of Object.entries(servers)) {
      if (d.drainedAt === undefined || !d.hadEntries) continue;
      if (prev.drains[host]?.servers[key]?.drainedAt !== undefined) continue;
      const cluster = next.clusters.find((c) => c.directors.includes(host));
      ev({
        severity: 'info',
        ...(cluster ? { cluster: cluster.name } : {}),
        host,
        kind: 'rs-drained',
        message: `${d.serverKey} drained on ${host} (${d.serviceKey}): no connections, no templates left`,
      });
    }
  }
}
