import { open, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventSeverity, LvsEvent } from '../store/store-types.js';

/** The event log is rotated to `<file>.1` past this size, so it never grows without bound. */
export const EVENT_LOG_MAX_BYTES = 1024 * 1024;
/** How much of the log's end is read back at start. */
const TAIL_BYTES = 256 * 1024;

const SEVERITIES = new Set<EventSeverity>(['info', 'warn', 'critical']);

/** Append events as JSON lines (file 0600, directory 0700), rotating first when the file has reached its bound. */
export async function appendEvents(
  file: string,
  events: readonly LvsEvent[],
  maxBytes = EVENT_LOG_MAX_BYTES,
): Promise<void> {
  if (events.length === 0) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size >= maxBytes) await rename(file, `${file}.1`);
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.appendFile(
      events.map((e) => JSON.stringify({ ...e, at: new Date(e.at).toISOString() })).join('\n') + '\n',
    );
  } finally {
    await handle.close();
  }
}

function eventOf(line: string): LvsEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const at = typeof r.at === 'string' ? Date.parse(r.at) : NaN;
  if (!Number.isFinite(at) || typeof r.kind !== 'string' || typeof r.message !== 'string') return undefined;
  if (typeof r.severity !== 'string' || !SEVERITIES.has(r.severity as EventSeverity)) return undefined;
  return {
    at,
    severity: r.severity as EventSeverity,
    kind: r.kind,
    message: r.message,
    ...(typeof r.cluster === 'string' ? { cluster: r.cluster } : {}),
    ...(typeof r.host === 'string' ? { host: r.host } : {}),
  };
}

/** The last `count` events of the log (oldest first), read from its end only; unreadable lines are skipped. */
export async function readEventTail(file: string, count: number): Promise<LvsEvent[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    if (length < size) lines.shift(); // a line cut by the window's start
    const events: LvsEvent[] = [];
    for (const line of lines) {
      const e = line ? eventOf(line) : undefined;
      if (e) events.push(e);
    }
    return events.slice(-count);
  } finally {
    await handle.close();
  }
}
