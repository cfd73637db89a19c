/**
 * A record entry's change as the smallest JSON that rebuilds it from the previous one: `[value]` replaces, `[]`
 * deletes, an object changes some keys of an object (or indexes of an array of the same length). The store shares
 * structure, so an unchanged part is the same object and the walk goes only down the paths that changed: a host's
 * poll costs its new read times, an IPVS reading the counters that moved.
 */
export type EntryDelta = readonly [] | readonly [unknown] | { readonly [key: string]: EntryDelta };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** The change from `prev` to `next`, or undefined when they are equal as JSON (an undefined field is an absent one). */
export function entryDelta(prev: unknown, next: unknown): EntryDelta | undefined {
  if (Object.is(prev, next)) return undefined;
  if (isRecord(prev) && isRecord(next)) {
    const out: Record<string, EntryDelta> = {};
    let any = false;
    for (const k in next) {
      const v = next[k];
      if (v === undefined) continue;
      const d = prev[k] === undefined ? ([v] as const) : entryDelta(prev[k], v);
      if (d) {
        out[k] = d;
        any = true;
      }
    }
    for (const k in prev)
      if (prev[k] !== undefined && next[k] === undefined) {
        out[k] = [];
        any = true;
      }
    return any ? out : undefined;
  }
  if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
    const out: Record<string, EntryDelta> = {};
    let any = false;
    for (let i = 0; i < next.length; i++) {
      const d = entryDelta(prev[i], next[i]);
      if (d) {
        out[i] = d;
        any = true;
      }
    }
    return any ? out : undefined;
  }
  // NaN and ±Infinity become null in JSON on both sides: equal there, equal here.
  if (typeof prev === 'number' && typeof next === 'number' && !Number.isFinite(prev) && !Number.isFinite(next))
    return undefined;
  return [next];
}

/** `prev` with `delta` applied; `prev` is not changed. */
export function applyEntryDelta(prev: unknown, delta: EntryDelta): unknown {
  if (Array.isArray(delta)) return delta[0];
  const base: Record<string, unknown> | unknown[] = Array.isArray(prev) ? [...prev] : { ...(prev as object) };
  for (const [k, d] of Object.entries(delta as Record<string, EntryDelta>)) {
    if (Array.isArray(d) && d.length === 0) delete (base as Record<string, unknown>)[k];
    else (base as Record<string, unknown>)[k] = applyEntryDelta((prev as Record<string, unknown>)?.[k], d);
  }
  return base;
}

/**
 * `prev` with `delta` applied, changing in place the objects in `owned` (copies this function made earlier, which
 * nothing else holds) and copying the others once, into `owned`: many deltas on one entry cost one copy of each
 * object they reach, not one per delta.
 */
export function applyEntryDeltaOwned(prev: unknown, delta: EntryDelta, owned: WeakSet<object>): unknown {
  if (Array.isArray(delta)) return delta[0];
  let base = prev as Record<string, unknown>;
  if (typeof prev !== 'object' || prev === null || !owned.has(prev)) {
    base = (Array.isArray(prev) ? [...prev] : { ...(prev as object) }) as Record<string, unknown>;
    owned.add(base);
  }
  for (const [k, d] of Object.entries(delta as Record<string, EntryDelta>)) {
    if (Array.isArray(d) && d.length === 0) delete base[k];
    else base[k] = applyEntryDeltaOwned(base[k], d, owned);
  }
  return base;
}
