/** A weight change on one real server of one service on one director. */
export interface WeightRow {
  readonly host: string;
  readonly service: { readonly key: string };
  readonly realServer: string;
  readonly after: number;
}

/** The live weights of one service's real servers, by real server key. */
export interface ServiceWeights {
  readonly host: string;
  readonly serviceKey: string;
  readonly weights: ReadonlyMap<string, number>;
}

/**
 * Services a weight change leaves with no real server above weight 0 although one had weight before: such a
 * service stops taking new connections. Returns `HOST SERVICE` for each.
 */
export function servicesLeftWithoutWeight(rows: readonly WeightRow[], services: readonly ServiceWeights[]): string[] {
  const out: string[] = [];
  for (const svc of services) {
    const changed = rows.filter((r) => r.host === svc.host && r.service.key === svc.serviceKey);
    if (changed.length === 0) continue;
    const after = [...svc.weights].map(([rs, w]) => changed.find((r) => r.realServer === rs)?.after ?? w);
    if ([...svc.weights.values()].some((w) => w > 0) && !after.some((w) => w > 0))
      out.push(`${svc.host} ${svc.serviceKey}`);
  }
  return out;
}
