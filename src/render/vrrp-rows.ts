import { vrrpRows, type VrrpRow } from '../model/vrrp.js';
import { formatAge } from './format.js';
import { failoverCells } from './failover-cells.js';
import type { LvsState } from '../store/lvs-store.js';
import type { Column, RowTone, TableRow, TableSpec } from './table-model.js';

const clock = (unixSec: number | undefined) => (unixSec ? new Date(unixSec * 1000).toISOString().slice(11, 19) : '-');

const vrrpTone = (s: string): RowTone =>
  s === 'MASTER' ? 'ok' : s === 'BACKUP' ? 'normal' : s === 'UNKNOWN' ? 'dim' : 'critical';

export const VRRP_COLUMNS: readonly Column[] = [
  { title: 'DIRECTOR', width: 11, align: 'left' },
  { title: 'INSTANCE', width: 9, align: 'left' },
  { title: 'STATE', width: 7, align: 'left' },
  { title: 'VRID', width: 4, align: 'right' },
  { title: 'PRIO B/E', width: 8, align: 'right' },
  { title: 'HOLDS VIP', width: 13, align: 'left' },
  { title: 'CHANGED', width: 8, align: 'left' },
  { title: 'TAKEOVER', width: 9, align: 'left' },
  { title: '10M', width: 3, align: 'right' },
  { title: 'TRACK / PROBLEM', width: 30, align: 'left' },
];

/** The row's problem; for a director that is down, what it last said first (`last known MASTER with 10.18.11.40, 12s ago`). */
function problemText(r: VrrpRow, now: number): string {
  const k = r.lastKnown;
  if (!k) return r.problem ?? '';
  const held = k.holdsVips.length > 0 ? ` with ${k.holdsVips.join(',')}` : '';
  const age = k.readAt === undefined ? '' : `, ${formatAge(now - k.readAt)} ago`;
  return `last known ${k.state ?? 'unknown'}${held}${age}; ${r.problem ?? 'host down'}`;
}

export function vrrpViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const timing = cluster ? failoverCells(state, cluster) : undefined;
  const rows: TableRow[] = cluster
    ? vrrpRows(state, cluster).map((r) => {
        const read = state.keepalived[r.director]?.readAt;
        const t = timing!(r.director, r.instance);
        return {
          id: `${r.director}/${r.instance}`,
          cells: [
            r.director,
            r.instance,
            r.state === 'UNREACHABLE' ? 'UNREACH' : r.state,
            r.vrid === undefined ? '-' : String(r.vrid),
            r.basePriority === undefined ? '-' : `${r.basePriority}/${r.effectivePriority}`,
            r.holdsVips.join(',') || '-',
            clock(r.lastTransition),
            t.takeover,
            t.transitions,
            r.trackFiles.map((t) => `${t.name}=${t.status}`).join(' ') || problemText(r, now),
          ],
          tone: vrrpTone(r.state),
          target: { kind: 'vrrp', director: r.director, instance: r.instance },
          ...(t.detail ? { detail: t.detail } : {}),
          ...(read ? { ageMs: now - read } : {}),
        };
      })
    : [];
  return {
    columns: VRRP_COLUMNS,
    rows,
  };
}
