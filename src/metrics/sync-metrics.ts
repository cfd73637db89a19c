import type { LvsState } from '../store/lvs-store.js';
import type { DirectorSync } from '../store/sync-slice.js';
import type { Sample, StateMetricSpec } from './state-metric.js';

/** Directors whose last read answered: a down director's last reading is history, not exported. */
function answering(state: LvsState): DirectorSync[] {
  return Object.values(state.sync).filter((s) => state.hosts[s.host]?.status !== 'down');
}

export function syncMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_ipvs_sync_daemon',
      help: 'An IPVS connection sync daemon of this role runs on the director (1) or not (0), as `ipvsadm -L --daemon` said at its last read (every 10 s); absent while unread or unreadable.',
      type: 'gauge',
      labelNames: ['host', 'role'],
      samples: (state) =>
        answering(state).flatMap((s): Sample[] => {
          const d = s.daemons;
          if (!d?.ok) return [];
          return [
            [{ host: s.host, role: 'master' }, d.master ? 1 : 0],
            [{ host: s.host, role: 'backup' }, d.backup ? 1 : 0],
          ];
        }),
    },
    {
      name: 'lvstop_ipvs_connections',
      help: "Entries in the director's IPVS connection table (/proc/net/ip_vs_conn, persistence templates included), counted every 30 s; absent while uncounted or when the count did not finish in time.",
      type: 'gauge',
      labelNames: ['host'],
      samples: (state) =>
        answering(state).flatMap((s): Sample[] => (s.conns?.ok ? [[{ host: s.host }, s.conns.entries]] : [])),
    },
  ];
}
