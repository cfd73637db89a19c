import { healthAlerts } from '../model/health-alerts.js';
import { directorHealth, type RealServerHealth } from '../model/rs-health.js';
import type { LvsState } from '../store/lvs-store.js';
import { serviceLabels } from './ipvs-metrics.js';
import { clustersOf, hostClusters, type Sample, type StateMetricSpec } from './state-metric.js';

const BACKEND_LABELS = ['local_address', 'local_port', 'remote_address', 'remote_port', 'proto', 'local_mark'];

/** One sample per real server of every director that answers, with node_exporter's IPVS backend labels. */
function perBackend(value: (h: RealServerHealth) => number | undefined): (state: LvsState, now: number) => Sample[] {
  return (state, now) => {
    const clusters = hostClusters(state);
    return Object.keys(state.ipvs).flatMap((director) => {
      if (state.hosts[director]?.status === 'down') return [];
      const [cluster] = clustersOf(clusters, director);
      return directorHealth(state, director, now).flatMap((h) => {
        const v = value(h);
        if (v === undefined) return [];
        const labels = {
          cluster: cluster!,
          director,
          ...serviceLabels(h.service),
          remote_address: h.address,
          remote_port: String(h.port),
        };
        return [[labels, v] as Sample];
      });
    });
  };
}

export function serviceHealthMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_backend_up',
      help: "The real server answers the director's probe (1) or failed it failuresToDown times in a row (0); absent while unknown or not probed.",
      type: 'gauge',
      labelNames: ['cluster', 'director', ...BACKEND_LABELS],
      samples: perBackend((h) =>
        h.verdict === 'up' || h.verdict === 'failing' ? 1 : h.verdict === 'down' ? 0 : undefined,
      ),
    },
    {
      name: 'lvstop_checker_up',
      help: "keepalived's health checker says the real server is up (1) or down (0); absent where keepalived runs no checker for it.",
      type: 'gauge',
      labelNames: ['cluster', 'director', ...BACKEND_LABELS],
      samples: perBackend((h) => (h.checker ? (h.checker.up ? 1 : 0) : undefined)),
    },
    {
      name: 'lvstop_health_alert',
      help: "lvstop's service-health judgements, 1 while one holds: rs-down-in-rotation, no-healthy-server, probe-checker-disagree, sync-drops-sessions.",
      type: 'gauge',
      labelNames: ['cluster', 'director', 'service', 'real_server', 'kind', 'severity'],
      samples: (state, now) =>
        state.clusters.flatMap((c) =>
          healthAlerts(state, c, now).map((a): Sample => [
            {
              cluster: c.name,
              director: a.director,
              service: a.service,
              real_server: a.realServer ?? '',
              kind: a.kind,
              severity: a.severity === 'critical' ? 'critical' : 'warning',
            },
            1,
          ]),
        ),
    },
  ];
}
