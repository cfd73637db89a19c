import type { IpvsCounters, IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import type { LvsState } from '../store/lvs-store.js';
import { clustersOf, hostClusters, type Labels, type Sample, type StateMetricSpec } from './state-metric.js';

/**
 * node_exporter's labels for a service (collector/ipvs_linux.go over procfs's /proc/net/ip_vs parser): TCP and UDP
 * carry address and port and an empty mark; FWM carries the mark as /proc prints it (%08X) with an empty address
 * and port 0.
 */
export function serviceLabels(s: IpvsService): Labels {
  if (s.protocol === 'FWM')
    return {
      local_address: '',
      local_port: '0',
      proto: 'FWM',
      local_mark: (s.fwmark ?? 0).toString(16).toUpperCase().padStart(8, '0'),
    };
  return { local_address: s.address ?? '', local_port: String(s.port ?? 0), proto: s.protocol, local_mark: '' };
}

const backendLabels = (s: IpvsService, rs: IpvsRealServer): Labels => ({
  ...serviceLabels(s),
  remote_address: rs.address,
  remote_port: String(rs.port),
});

const SERVICE_LABELS = ['local_address', 'local_port', 'proto', 'local_mark'];
const BACKEND_LABELS = ['local_address', 'local_port', 'remote_address', 'remote_port', 'proto', 'local_mark'];

/** Every director's table, once; a down director's last table is history and is not exported. */
function eachTable(state: LvsState, fn: (base: Labels, services: readonly IpvsService[]) => Sample[]): Sample[] {
  const clusters = hostClusters(state);
  return Object.values(state.ipvs).flatMap((d) => {
    const reading = d.reading;
    if (reading.status !== 'ok' || state.hosts[d.host]?.status === 'down') return [];
    return clustersOf(clusters, d.host).flatMap((cluster) => fn({ cluster, director: d.host }, reading.table.services));
  });
}

const backendGauge = (name: string, help: string, value: (rs: IpvsRealServer) => number): StateMetricSpec => ({
  name,
  help,
  type: 'gauge',
  labelNames: ['cluster', 'director', ...BACKEND_LABELS],
  samples: (state) =>
    eachTable(state, (base, services) =>
      services.flatMap((s) => s.realServers.map((rs): Sample => [{ ...base, ...backendLabels(s, rs) }, value(rs)])),
    ),
});

const COUNTERS: readonly [keyof IpvsCounters, string, string][] = [
  ['conns', 'connections_total', 'connections'],
  ['inPkts', 'incoming_packets_total', 'incoming packets'],
  ['outPkts', 'outgoing_packets_total', 'outgoing packets'],
  ['inBytes', 'incoming_bytes_total', 'incoming bytes'],
  ['outBytes', 'outgoing_bytes_total', 'outgoing bytes'],
];

export function ipvsMetrics(): StateMetricSpec[] {
  const directorTotals = COUNTERS.map(([field, suffix, what]): StateMetricSpec => ({
    name: `node_ipvs_${suffix}`,
    help: `The total number of ${what} (the director's /proc/net/ip_vs_stats).`,
    type: 'counter',
    labelNames: ['cluster', 'director'],
    samples: (state) => {
      const clusters = hostClusters(state);
      return Object.values(state.ipvs).flatMap((d) => {
        const down = state.hosts[d.host]?.status === 'down';
        const totals = d.reading.status === 'ok' && !down ? d.reading.totals : undefined;
        return totals
          ? clustersOf(clusters, d.host).map((c): Sample => [{ cluster: c, director: d.host }, totals[field]])
          : [];
      });
    },
  }));
  const serviceCounters = COUNTERS.map(([field, suffix, what]): StateMetricSpec => ({
    name: `lvstop_ipvs_service_${suffix}`,
    help: `Per virtual service: ${what} (ipvsadm --stats).`,
    type: 'counter',
    labelNames: ['cluster', 'director', ...SERVICE_LABELS],
    samples: (state) =>
      eachTable(state, (base, services) =>
        services.flatMap((s) => (s.counters ? [[{ ...base, ...serviceLabels(s) }, s.counters[field]] as Sample] : [])),
      ),
  }));
  const backendCounters = COUNTERS.map(([field, suffix, what]): StateMetricSpec => ({
    name: `lvstop_ipvs_backend_${suffix}`,
    help: `Per real server of a virtual service: ${what} (ipvsadm --stats).`,
    type: 'counter',
    labelNames: ['cluster', 'director', ...BACKEND_LABELS],
    samples: (state) =>
      eachTable(state, (base, services) =>
        services.flatMap((s) =>
          s.realServers.flatMap((rs) =>
            rs.counters ? [[{ ...base, ...backendLabels(s, rs) }, rs.counters[field]] as Sample] : [],
          ),
        ),
      ),
  }));
  return [
    backendGauge(
      'node_ipvs_backend_weight',
      'The current backend weight by local and remote address.',
      (rs) => rs.weight,
    ),
    backendGauge(
      'node_ipvs_backend_connections_active',
      'The current active connections by local and remote address.',
      (rs) => rs.activeConns,
    ),
    backendGauge(
      'node_ipvs_backend_connections_inactive',
      'The current inactive connections by local and remote address.',
      (rs) => rs.inactiveConns,
    ),
    ...directorTotals,
    ...serviceCounters,
    ...backendCounters,
  ];
}
