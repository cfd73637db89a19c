import type { LvsState } from '../store/lvs-store.js';
import type { Column, TableRow, TableSpec } from './table-model.js';

export const AUDIT_COLUMNS: readonly Column[] = [
  { title: 'TIME', width: 14, align: 'left' },
  { title: 'OPERATOR', width: 14, align: 'left' },
  { title: 'ACTION', width: 9, align: 'left' },
  { title: 'TARGET', width: 28, align: 'left' },
  { title: 'RESULT', width: 12, align: 'left' },
  { title: 'MESSAGE', width: 40, align: 'left' },
  { title: 'REASON', width: 30, align: 'left' },
];

export function auditRows(state: LvsState): TableSpec {
  const rows: TableRow[] = [...state.audit].reverse().map((a, i) => ({
    id: `audit${state.audit.length - i}-${a.at}`,
    cells: [
      new Date(a.at).toISOString().replace('T', ' ').slice(5, 19),
      a.operator,
      a.action,
      a.target,
      a.result,
      a.message,
      a.reason ?? '',
    ],
    tone:
      a.result === 'ok' ? 'ok' : a.result.startsWith('refused') || a.result.startsWith('aborted') ? 'warn' : 'critical',
  }));
  return {
    columns: AUDIT_COLUMNS,
    rows,
  };
}
