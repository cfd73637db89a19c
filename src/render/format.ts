/** Compact number with SI suffix: 999, 1.2k, 34M. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  const units = ['k', 'M', 'G', 'T', 'P'];
  let v = n;
  let i = -1;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(Math.abs(v) < 10 ? 1 : 0)}${units[i]}`;
}

/** Bytes per second in binary units: 512B, 1.5K, 20M. */
export function formatBytesRate(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

export function formatRate(n: number | undefined): string {
  return n === undefined ? '-' : formatCount(Math.round(n * 10) / 10);
}

export function formatAge(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  if (ms < 1000) return `${Math.max(0, Math.round(ms / 100) / 10)}s`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.round(m / 60)}h`;
}

/**
 * A top client and its connections: `10.0.0.7 ×48` when counted exactly, `10.0.0.7 ×36–48` when the summary can only
 * say the true count lies between (it may have counted up to `error` connections of other clients to this one).
 */
export function formatClientCount(c: { readonly address: string; readonly count: number; readonly error: number }) {
  return `${c.address} ×${c.error > 0 ? `${c.count - c.error}–${c.count}` : c.count}`;
}
