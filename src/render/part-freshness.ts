import type { HostRuntime, PaneKind } from '../store/store-types.js';
import { formatAge } from './format.js';

/**
 * What is stale on a host that still answers: each late or failed part of its poll, with the reason and the age of
 * its last good read (`keepalived late 6s (read 8s ago)`). Empty when every part is fresh.
 */
export function staleParts(rt: HostRuntime | undefined, now: number, pane?: PaneKind): string[] {
  if (!rt?.parts || rt.status === 'down') return [];
  const out: string[] = [];
  for (const [id, p] of Object.entries(rt.parts)) {
    if (pane && p.pane !== pane) continue;
    const age = p.readAt === undefined ? 'never read' : `read ${formatAge(now - p.readAt)} ago`;
    if (p.error !== undefined) out.push(`${id} ${p.error} (${age})`);
    else if (p.lateSince !== undefined) out.push(`${id} late ${formatAge(now - p.lateSince)} (${age})`);
  }
  return out;
}
