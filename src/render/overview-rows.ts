import { clusterOverview, LEVEL_RANK } from '../model/overview.js';
import type { LvsState } from '../store/lvs-store.js';
import type { Column, TableRow, TableSpec } from './table-model.js';
import { levelTone } from './tones.js';

export const OVERVIEW_COLUMNS: readonly Column[] = [
  { title: 'CLUSTER', width: 12, align: 'left' },
  { title: 'MODE', width: 4, align: 'left' },
  { title: 'STATE', width: 8, align: 'left' },
  { title: 'SERVICES', width: 11, align: 'left' },
  { title: 'ACTIVE', width: 10, align: 'left' },
  { title: 'RATE', width: 12, align: 'left' },
  { title: 'WHY', width: 40, align: 'left' },
];

export function overviewRows(state: LvsState, now: number): TableSpec {
  const rows: TableRow[] = [];
  // Worst first: with 150 clusters the ones in trouble are on the first page, in configured order within a level.
  const judged = state.clusters
    .map((c, i) => ({ c, i, o: clusterOverview(state, c, now) }))
    .sort((a, b) => LEVEL_RANK[b.o.level] - LEVEL_RANK[a.o.level] || a.i - b.i);
  for (const { c, o } of judged) {
    rows.push({
      id: c.name,
      cells: [c.name, c.mode.toUpperCase(), o.level.toUpperCase(), ...o.headline, o.reasons[0] ?? ''],
      tone: levelTone[o.level],
    });
    for (const [i, r] of o.reasons.slice(1, 6).entries())
      rows.push({ id: `${c.name}|r${i}`, cells: ['', '', '', '', '', '', r], tone: 'dim' });
  }
  return {
    columns: OVERVIEW_COLUMNS,
    rows,
  };
}
