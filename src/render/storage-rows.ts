import type { LvsState } from '../store/lvs-store.js';
import { formatCount } from './format.js';
import type { Column, RowTone, TableRow, TableSpec } from './table-model.js';

const nfsTone = (h: string | undefined): RowTone =>
  h === 'OK' ? 'ok' : h === 'SLOW' ? 'warn' : h === undefined ? 'dim' : 'critical';

export const STORAGE_COLUMNS: readonly Column[] = [
  { title: 'HOST', width: 8, align: 'left' },
  { title: 'MOUNT', width: 14, align: 'left' },
  { title: 'EXPORT', width: 14, align: 'left' },
  { title: 'HEALTH', width: 8, align: 'left' },
  { title: 'PROBE', width: 7, align: 'right' },
  { title: 'OPS', width: 5, align: 'right' },
  { title: 'RTT', width: 6, align: 'right' },
  { title: 'MAJTO', width: 5, align: 'right' },
  { title: 'WHY', width: 30, align: 'left' },
];

export function storageViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = (cluster?.nfs ?? []).map((m) => {
    const n = state.nfs[m.id];
    const d = n?.delta;
    return {
      id: m.id,
      cells: [
        m.host,
        m.mountpoint,
        n?.entry?.device ?? m.export ?? '-',
        `${n?.health ?? '?'}${n?.probeRunning ? '*' : ''}`,
        n?.probe ? `${n.probe.elapsedMs}ms` : '-',
        d ? formatCount(d.ops) : '-',
        d && d.ops > 0 ? `${Math.round(d.rttMs / d.ops)}ms` : '-',
        d ? String(d.majorTimeouts) : '-',
        n?.reason ?? '',
      ],
      tone: nfsTone(n?.health),
      ...(n?.probedAt ? { ageMs: now - n.probedAt } : {}),
    };
  });
  return {
    columns: STORAGE_COLUMNS,
    rows,
  };
}
