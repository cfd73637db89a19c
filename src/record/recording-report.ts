import type { AuditView, LvsEvent } from '../store/store-types.js';
import type { Recording } from './recording.js';
import { mayHold, patchOf } from './segment-reader.js';

export type TimelineEntry =
  | { readonly kind: 'event'; readonly site: string; readonly event: LvsEvent }
  | { readonly kind: 'audit'; readonly site: string; readonly audit: AuditView };

const atOf = (e: TimelineEntry) => (e.kind === 'event' ? e.event.at : e.audit.at);

/** Every event and audit line recorded between `from` and `to` (their own times), oldest first. */
export async function recordedTimeline(rec: Recording, from = -Infinity, to = Infinity): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  for (const site of rec.sites)
    for (let i = 0; i < site.segments.length; i++)
      for (const l of (await rec.segment(site, i)).lines) {
        if (!mayHold(l, 'events') && !mayHold(l, 'audit')) continue;
        const p = patchOf(l);
        if (!p) continue;
        for (const event of p.events ?? []) out.push({ kind: 'event', site: site.site, event });
        for (const audit of p.audit ?? []) out.push({ kind: 'audit', site: site.site, audit });
      }
  return out.filter((e) => atOf(e) >= from && atOf(e) <= to).sort((a, b) => atOf(a) - atOf(b));
}

export function timelineLine(e: TimelineEntry, sites: number): string {
  const site = sites > 1 ? `[${e.site}] ` : '';
  if (e.kind === 'audit') {
    const a = e.audit;
    return `${new Date(a.at).toISOString()} ${site}audit    ${a.operator} ${a.action} ${a.target}: ${a.result} ${a.message}`;
  }
  const ev = e.event;
  const where = [ev.cluster, ev.host].filter(Boolean).join('/');
  return `${new Date(ev.at).toISOString()} ${site}${ev.severity.padEnd(8)} ${ev.kind}${where ? ` ${where}` : ''}: ${ev.message}`;
}

/** First and last time, sites, clusters, hosts, and the alerts raised (`*-begin`) and cleared (`*-end`). */
export async function recordingSummary(rec: Recording): Promise<string[]> {
  const end = await rec.end();
  const timeline = await recordedTimeline(rec);
  const count = (suffix: string) => {
    const by = new Map<string, number>();
    for (const e of timeline)
      if (e.kind === 'event' && e.event.kind.endsWith(suffix)) {
        const k = e.event.kind.slice(0, -suffix.length);
        by.set(k, (by.get(k) ?? 0) + 1);
      }
    return [...by].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  };
  return [
    `first    ${new Date(rec.start).toISOString()}`,
    `last     ${new Date(end).toISOString()} (${Math.round((end - rec.start) / 1000)} s)`,
    ...rec.sites.map(
      (s) =>
        `site     ${s.site}: ${s.segments.length} segment(s), poll every ${s.seed.pollIntervalMs} ms, recording format v${s.segments[0]!.header.v}`,
    ),
    `clusters ${rec.sites.flatMap((s) => s.seed.clusters.map((c) => c.name)).join(', ')}`,
    `hosts    ${rec.sites.flatMap((s) => s.seed.hosts).join(', ')}`,
    `alerts raised  ${count('-begin')}`,
    `alerts cleared ${count('-end')}`,
    `events   ${timeline.filter((e) => e.kind === 'event').length}, audit lines ${timeline.filter((e) => e.kind === 'audit').length}`,
  ];
}
