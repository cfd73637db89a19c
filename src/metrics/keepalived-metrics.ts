import type { VrrpInstance, VrrpState } from '../../collectors/keepalived-vrrp.js';
import type { LvsState } from '../store/lvs-store.js';
import { takeoverMetrics } from './takeover-metrics.js';
import { clustersOf, hostClusters, type Labels, type Sample, type StateMetricSpec } from './state-metric.js';

/** keepalived's own numbering, as its JSON dump and the keepalived exporters give it. */
const STATE_NUMBER: Record<VrrpState, number | undefined> = {
  INIT: 0,
  BACKUP: 1,
  MASTER: 2,
  FAULT: 3,
  STOP: 97,
  UNKNOWN: undefined,
};

/** Every instance of every director that answers: a down director's last dump is history, not exported. */
function eachInstance(state: LvsState, fn: (base: Labels, i: VrrpInstance) => Sample[]): Sample[] {
  const clusters = hostClusters(state);
  return Object.values(state.keepalived).flatMap((k) =>
    k.reading.status !== 'ok' || state.hosts[k.host]?.status === 'down'
      ? []
      : clustersOf(clusters, k.host).flatMap((cluster) =>
          k.reading.status === 'ok'
            ? k.reading.instances.flatMap((i) =>
                fn({ cluster, director: k.host, iname: i.name, intf: i.interface ?? '', vrid: String(i.vrid) }, i),
              )
            : [],
        ),
  );
}

type StatField = keyof NonNullable<VrrpInstance['stats']>;
const COUNTERS: readonly [StatField, string, string][] = [
  ['advertReceived', 'keepalived_advertisements_received_total', 'Advertisements received'],
  ['advertSent', 'keepalived_advertisements_sent_total', 'Advertisements sent'],
  ['becameMaster', 'keepalived_become_master_total', 'Became master'],
  ['releasedMaster', 'keepalived_release_master_total', 'Released master'],
  ['priorityZeroReceived', 'keepalived_priority_zero_received_total', 'Priority zero received'],
  ['priorityZeroSent', 'keepalived_priority_zero_sent_total', 'Priority zero sent'],
];

export function keepalivedMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'keepalived_up',
      help: 'keepalived answered on the director at its last poll (1) or not (0: director down, not running, not permitted, no dump).',
      type: 'gauge',
      labelNames: ['cluster', 'director'],
      samples: (state) => {
        const clusters = hostClusters(state);
        return Object.values(state.keepalived).flatMap((k) =>
          clustersOf(clusters, k.host).map((c): Sample => [
            { cluster: c, director: k.host },
            k.reading.status === 'ok' && state.hosts[k.host]?.status !== 'down' ? 1 : 0,
          ]),
        );
      },
    },
    {
      name: 'lvstop_vrrp_state_changes_total',
      help: 'VRRP state changes this lvstop has seen per instance (MASTER to BACKUP...), for flapping alerts.',
      type: 'counter',
      labelNames: ['cluster', 'director', 'iname'],
      samples: (state) => {
        const clusters = hostClusters(state);
        return Object.values(state.keepalived).flatMap((k) =>
          Object.entries(k.stateChanges).flatMap(([iname, n]) =>
            clustersOf(clusters, k.host).map((c): Sample => [{ cluster: c, director: k.host, iname }, n]),
          ),
        );
      },
    },
    {
      name: 'keepalived_vrrp_state',
      help: 'State of vrrp (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 97 STOP), one series per VIP.',
      type: 'gauge',
      labelNames: ['cluster', 'director', 'iname', 'intf', 'vrid', 'ip_address'],
      samples: (state) =>
        eachInstance(state, (base, i) => {
          const n = STATE_NUMBER[i.state];
          if (n === undefined) return [];
          const vips = i.vips.length > 0 ? i.vips : [''];
          return vips.map((vip): Sample => [{ ...base, ip_address: vip }, n]);
        }),
    },
    ...COUNTERS.map(([field, name, help]): StateMetricSpec => ({
      name,
      help,
      type: 'counter',
      labelNames: ['cluster', 'director', 'iname', 'intf', 'vrid'],
      samples: (state) => eachInstance(state, (base, i) => (i.stats ? [[base, i.stats[field]]] : [])),
    })),
    ...takeoverMetrics(),
  ];
}
