/** One real server of one service, before and after a weight change. */
export interface WeightRow {
  readonly host: string;
  readonly serviceKey: string;
  readonly realServer: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Services a weight change leaves with no real server above weight 0 although one had weight before: such a
 * service stops taking new connections. `others` are the service's real servers the change leaves alone.
 */
export function servicesLeftWithoutWeight(
  rows: readonly WeightRow[],
  others: ReadonlyMap<string, readonly number[]>,
): string[] {
  const byService = new Map<string, WeightRow[]>();
  for (const r of rows) {
    const id = `${r.host} ${r.serviceKey}`;
    byService.set(id, [...(byService.get(id) ?? []), r]);
  }
  const out: string[] = [];
  for (const [id, changed] of byService) {
    const untouched = others.get(id) ?? [];
    const hadWeight = changed.some((r) => r.before > 0) || untouched.some((w) => w > 0);
    const keepsWeight = changed.some((r) => r.after > 0) || untouched.some((w) => w > 0);
    if (hadWeight && !keepsWeight) out.push(id);
  }
  return out;
}
