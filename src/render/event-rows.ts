import type { LvsState } from '../store/lvs-store.js';
import { clusterHosts } from './cluster-hosts.js';
import type { Column, TableRow, TableSpec } from './table-model.js';

const sevTone = { info: 'normal', warn: 'warn', critical: 'critical' } as const;

export const EVENT_COLUMNS: readonly Column[] = [
  { title: 'TIME', width: 8, align: 'left' },
  { title: 'SEV', width: 8, align: 'left' },
  { title: 'KIND', width: 18, align: 'left' },
  { title: 'MESSAGE', width: 60, align: 'left' },
];

export function eventRows(state: LvsState, clusterName: string | undefined): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const hosts = new Set(cluster ? clusterHosts(cluster) : []);
  const rows: TableRow[] = [...state.events]
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !cluster || e.cluster === cluster.name || (e.host !== undefined && hosts.has(e.host)))
    .reverse()
    .map(({ e, i }) => ({
      id: `ev${i}-${e.at}`,
      cells: [new Date(e.at).toISOString().slice(11, 19), e.severity.toUpperCase(), e.kind, e.message],
      tone: sevTone[e.severity],
    }));
  return {
    columns: EVENT_COLUMNS,
    rows,
  };
}
