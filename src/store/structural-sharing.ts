/**
 * Return `next`, but with every part that deep-equals the matching part of `prev` replaced by `prev`'s object,
 * so unchanged services and rows keep their identity across polls (cheap equality for React and selectors).
 *
 * A new container is built only where it has to mix old and new parts: a row whose counters all moved is `next`'s
 * own object, not a copy of it. A 10,000-row table whose counters move on every poll then costs one walk and no
 * allocation beyond what the parser already made.
 */
export function shareStructure<T>(prev: T, next: T): T {
  if (Object.is(prev, next)) return prev;
  if (typeof prev !== 'object' || typeof next !== 'object' || prev === null || next === null) return next;
  const prevIsArray = Array.isArray(prev);
  if (prevIsArray !== Array.isArray(next)) return next;
  if (prevIsArray) return shareArray(prev as unknown[], next as unknown[]) as T;
  if (Object.getPrototypeOf(prev) !== Object.prototype || Object.getPrototypeOf(next) !== Object.prototype) return next;
  return shareRecord(prev as Record<string, unknown>, next as Record<string, unknown>) as T;
}

function shareArray(prev: readonly unknown[], next: readonly unknown[]): readonly unknown[] {
  let allPrev = prev.length === next.length;
  let out: unknown[] | undefined;
  for (let i = 0; i < next.length; i++) {
    const item = next[i];
    const shared = i < prev.length ? shareStructure(prev[i], item) : item;
    if (shared !== prev[i]) allPrev = false;
    if (shared !== item && out === undefined) out = next.slice(0, i);
    if (out !== undefined) out.push(shared);
  }
  if (allPrev) return prev;
  return out ?? next;
}

function shareRecord(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  let allPrev = true;
  let nextKeys = 0;
  let out: Record<string, unknown> | undefined;
  for (const k in next) {
    if (!Object.prototype.hasOwnProperty.call(next, k)) continue;
    nextKeys++;
    const item = next[k];
    const had = Object.prototype.hasOwnProperty.call(prev, k);
    const shared = had ? shareStructure(prev[k], item) : item;
    if (!had || shared !== prev[k]) allPrev = false;
    if (shared !== item && out === undefined) out = { ...next };
    if (out !== undefined) out[k] = shared;
  }
  if (allPrev) {
    let prevKeys = 0;
    for (const k in prev) if (Object.prototype.hasOwnProperty.call(prev, k)) prevKeys++;
    if (prevKeys === nextKeys) return prev;
  }
  return out ?? next;
}
