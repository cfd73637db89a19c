import { Counter, Gauge, type Registry } from 'prom-client';
import type { LvsState } from '../store/lvs-store.js';

export type Labels = Record<string, string>;
export type Sample = readonly [Labels, number];

/** One metric whose samples are read from the store at scrape time: a counter or a gauge. */
export interface StateMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly samples: (state: LvsState, now: number) => readonly Sample[];
}

/**
 * Node_exporter sums backends that share a label set; so do these metrics (prom-client would keep the last value).
 */
function summed(samples: readonly Sample[]): Sample[] {
  const out = new Map<string, [Labels, number]>();
  for (const [labels, value] of samples) {
    const key = JSON.stringify(Object.entries(labels).sort());
    const prev = out.get(key);
    if (prev) prev[1] += value;
    else out.set(key, [labels, value]);
  }
  return [...out.values()];
}

export function registerStateMetric(registry: Registry, state: () => LvsState, spec: StateMetricSpec): void {
  const base = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [registry] };
  if (spec.type === 'gauge') {
    new Gauge({
      ...base,
      collect() {
        this.reset();
        for (const [labels, value] of summed(spec.samples(state(), Date.now()))) this.set(labels, value);
      },
    });
  } else {
    new Counter({
      ...base,
      collect() {
        // A counter read from the kernel: set it to the value read (reset, then one increment).
        this.reset();
        for (const [labels, value] of summed(spec.samples(state(), Date.now()))) this.inc(labels, Math.max(0, value));
      },
    });
  }
}

/** Clusters a host takes part in (director, real server, NFS client, replication side), for the `cluster` label. */
export function hostClusters(state: LvsState): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const add = (host: string | undefined, cluster: string) => {
    if (!host) return;
    const list = map.get(host) ?? [];
    if (!list.includes(cluster)) map.set(host, [...list, cluster]);
  };
  for (const c of state.clusters) {
    c.directors.forEach((d) => add(d, c.name));
    c.realServers.forEach((r) => add(r.host, c.name));
    c.nfs.forEach((n) => {
      add(n.host, c.name);
      add(n.server, c.name);
    });
    c.replication.forEach((r) => {
      add(r.source, c.name);
      add(r.replica, c.name);
    });
  }
  return map;
}

/**
 * The `cluster` label of a host's series: its clusters joined with "," ("" when it is in none). A host in two
 * clusters is exported once, so sums over the fleet count it once.
 */
export function clustersOf(map: ReadonlyMap<string, readonly string[]>, host: string): readonly string[] {
  return [(map.get(host) ?? []).join(',')];
}
