import { replicationRows } from '../model/replication-view.js';
import type { LvsState } from '../store/lvs-store.js';
import type { Column, TableRow, TableSpec } from './table-model.js';
import { levelTone } from './tones.js';

export const REPLICATION_COLUMNS: readonly Column[] = [
  { title: 'PAIR', width: 12, align: 'left' },
  { title: 'SOURCE → REPLICA', width: 18, align: 'left' },
  { title: 'LAG', width: 7, align: 'right' },
  { title: 'STATE', width: 8, align: 'left' },
  { title: 'PENDING', width: 7, align: 'right' },
  { title: 'PUSHER', width: 8, align: 'left' },
  { title: 'PROBLEMS', width: 30, align: 'left' },
];

export function replicationViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = (cluster ? replicationRows(state, cluster) : []).map((r) => {
    const read = state.replication[r.id]?.replica?.readAt;
    return {
      id: r.id,
      cells: [
        r.name,
        `${r.source} → ${r.replica}`,
        r.lagSeconds === undefined ? '?' : `${r.lagSeconds}s`,
        r.level.toUpperCase(),
        r.pendingChanges === undefined ? '-' : String(r.pendingChanges),
        r.pusherRunning === undefined ? '-' : r.pusherRunning ? 'running' : 'STOPPED',
        r.problems.join('; '),
      ],
      tone: levelTone[r.level],
      ...(read ? { ageMs: now - read } : {}),
    };
  });
  return {
    columns: REPLICATION_COLUMNS,
    rows,
  };
}
