import { realServerKey } from '../../collectors/ipvs-types.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';

export interface DriftLine {
  readonly service: string;
  readonly what: string;
  /** Value per director. */
  readonly values: Readonly<Record<string, string>>;
}

/** Differences between the IPVS tables of a cluster's directors (services, real servers, weights, schedulers). */
export function ipvsDrift(state: LvsState, cluster: ClusterInfo): DriftLine[] {
  const tables = cluster.directors.flatMap((d) => {
    // A down director's table is from before it went down: comparing it would report drift that is only age.
    if (state.hosts[d]?.status === 'down') return [];
    const r = state.ipvs[d]?.reading;
    return r?.status === 'ok' ? [[d, new Map(r.table.services.map((s) => [s.key, s]))] as const] : [];
  });
  if (tables.length < 2) return [];
  const lines: DriftLine[] = [];
  const keys = [...new Set(tables.flatMap(([, t]) => [...t.keys()]))].sort();
  const per = (f: (d: string, t: (typeof tables)[number][1]) => string) =>
    Object.fromEntries(tables.map(([d, t]) => [d, f(d, t)]));
  const differs = (v: Record<string, string>) => new Set(Object.values(v)).size > 1;
  for (const key of keys) {
    const present = per((_, t) => (t.has(key) ? 'present' : 'missing'));
    if (differs(present)) {
      lines.push({ service: key, what: 'service', values: present });
      continue;
    }
    const sched = per((_, t) => {
      const s = t.get(key)!;
      return `${s.scheduler}${s.persistence === undefined ? '' : ` -p ${s.persistence}`}`;
    });
    if (differs(sched)) lines.push({ service: key, what: 'scheduler', values: sched });
    const rsKeys = [...new Set(tables.flatMap(([, t]) => t.get(key)!.realServers.map(realServerKey)))].sort();
    for (const rk of rsKeys) {
      const v = per((_, t) => {
        const rs = t.get(key)!.realServers.find((r) => realServerKey(r) === rk);
        return rs ? `${rs.forward} w${rs.weight}` : 'missing';
      });
      if (differs(v)) lines.push({ service: key, what: `real server ${rk}`, values: v });
    }
  }
  return lines;
}
