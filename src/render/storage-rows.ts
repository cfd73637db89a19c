import { nfsWriteRow, type NfsWriteRow } from '../model/nfs-write-view.js';
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
  { title: 'WRITE', width: 5, align: 'left' },
  { title: 'PROBE', width: 7, align: 'right' },
  { title: 'OPS', width: 5, align: 'right' },
  { title: 'RTT', width: 6, align: 'right' },
  { title: 'MAJTO', width: 5, align: 'right' },
  { title: 'WHY', width: 30, align: 'left' },
];

const writeCell = (w: NfsWriteRow) => (w.ok === null ? '?' : w.ok ? 'ok' : 'NO');

export function storageViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = (cluster?.nfs ?? []).map((m) => {
    const n = state.nfs[m.id];
    const d = n?.delta;
    const w = nfsWriteRow(state, m, now);
    return {
      id: m.id,
      cells: [
        m.host,
        m.mountpoint,
        n?.entry?.device ?? m.export ?? '-',
        `${n?.health ?? '?'}${n?.probeRunning ? '*' : ''}`,
        writeCell(w),
        n?.probe ? `${n.probe.elapsedMs}ms` : '-',
        d ? formatCount(d.ops) : '-',
        d && d.ops > 0 ? `${Math.round(d.rttMs / d.ops)}ms` : '-',
        d ? String(d.majorTimeouts) : '-',
        w.ok === false ? `not writable by the web user: ${w.reason}` : (n?.reason ?? ''),
      ],
      tone: w.ok === false ? 'critical' : nfsTone(n?.health),
      detail: {
        kind: 'text',
        title: `NFS ${m.host}:${m.mountpoint}: ${n?.health ?? 'not read yet'}, ${w.ok === false ? 'not writable by the web user' : w.ok ? 'writable by the web user' : 'write unknown'}`,
        lines: [`mount: ${n?.reason ?? 'not read yet'}`, `write check in ${w.writePath}: ${w.reason}`],
      },
      ...(n?.probedAt ? { ageMs: now - n.probedAt } : {}),
    };
  });
  return {
    columns: STORAGE_COLUMNS,
    rows,
  };
}
