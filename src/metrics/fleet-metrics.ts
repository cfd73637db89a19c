import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { LvsStore } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
import { healthMetrics } from './health-metrics.js';
import { ipvsMetrics } from './ipvs-metrics.js';
import { keepalivedMetrics } from './keepalived-metrics.js';
import { registerStateMetric } from './state-metric.js';
import { serviceHealthMetrics } from './service-health-metrics.js';
import { syncMetrics } from './sync-metrics.js';

export interface FleetMetrics {
  readonly registry: Registry;
  /** Stop observing the store. */
  close(): void;
}

/** Buckets for one host's poll: a healthy poll takes tens of ms, a struggling host seconds. */
const POLL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The whole fleet as one Prometheus target: every value is read from the store at scrape time, except the poll
 * duration histogram, which observes each completed poll as the store records it.
 */
export function createFleetMetrics(store: LvsStore): FleetMetrics {
  const registry = new Registry();
  // lvstop's own process (CPU, memory, event loop lag): a serve that starves cannot poll on time.
  collectDefaultMetrics({ register: registry });
  for (const spec of [
    ...ipvsMetrics(),
    ...keepalivedMetrics(),
    ...healthMetrics(),
    ...serviceHealthMetrics(),
    ...syncMetrics(),
  ])
    registerStateMetric(registry, () => store.getState(), spec);
  const polls = new Histogram({
    name: 'lvstop_poll_duration_seconds',
    help: 'Time one poll of a host took (all its sections over one SSH channel).',
    labelNames: ['host'],
    buckets: POLL_BUCKETS,
    registers: [registry],
  });
  const unsubscribe = store.subscribe((next, prev) => {
    for (const name of changedKeys(prev.hosts, next.hosts, next.changes?.hosts)) {
      const h = next.hosts[name];
      if (h?.readAt !== undefined && h.pollDurationMs !== undefined && h.readAt !== prev.hosts[name]?.readAt)
        polls.observe({ host: name }, h.pollDurationMs / 1000);
    }
  });
  return { registry, close: unsubscribe };
}
