const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h30m`, `2d`: a duration in ms, or undefined. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((a, p) => a + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

export interface ReplaySpan {
  readonly start: number;
  readonly end: number;
  /** Where `-10m` counts from: the replay's position, or the end of the recording. */
  readonly from?: number;
}

export type ParsedTime = { readonly ok: true; readonly at: number } | { readonly ok: false; readonly message: string };

/**
 * A moment in a recording: a clock time (`03:14:05`, UTC like the header, on the recording's day, or the next
 * one when the recording runs past midnight), an ISO time, `+25s` from the start, or `-10m` back from `from`.
 */
export function parseReplayTime(text: string, span: ReplaySpan): ParsedTime {
  const t = text.trim();
  const rel = /^([+-])(.+)$/.exec(t);
  if (rel) {
    const ms = parseDuration(rel[2]!);
    if (ms === undefined) return { ok: false, message: `"${t}": expected an offset like +25s, +10m, -1h30m` };
    return { ok: true, at: rel[1] === '+' ? span.start + ms : (span.from ?? span.end) - ms };
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(t);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) return { ok: false, message: `"${t}": not a time of day` };
    const day = new Date(span.start);
    day.setUTCHours(0, 0, 0, 0);
    let at = day.getTime() + ((h * 60 + m) * 60 + s) * 1000 + Math.round(Number(clock[4] ?? 0) * 1000);
    // A recording that runs past midnight: an earlier clock time is on its next day.
    while (at < span.start - 1000 && at + 86_400_000 <= span.end + 1000) at += 86_400_000;
    return { ok: true, at };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const at = Date.parse(t);
    if (Number.isFinite(at)) return { ok: true, at };
  }
  return { ok: false, message: `"${t}": expected a clock time (03:14:05), an ISO time, or an offset (+25s, -10m)` };
}
