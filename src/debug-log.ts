import { appendFileSync } from 'node:fs';

/** Where debug lines go: nowhere unless `--debug FILE` or LVSTOP_DEBUG named a file. */
type DebugSink = (line: string) => void;

let sink: DebugSink | undefined;

/**
 * One timestamped line: `2026-11-22T04:10:36.123Z <event> key=value ...`. A no-op without a sink, so call sites
 * cost nothing in normal runs. Values are JSON-quoted when they hold spaces.
 */
export function debugLog(event: string, fields: Readonly<Record<string, unknown>> = {}): void {
  if (!sink) return;
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
      return `${k}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
    });
  sink(`${new Date().toISOString()} ${event}${parts.length ? ' ' + parts.join(' ') : ''}\n`);
}

/** Append debug lines to `file` (created; its directory must exist). Synchronous: nothing is lost at exit. Throws when it cannot write. */
export function openDebugLog(file: string): void {
  appendFileSync(file, '');
  sink = (line) => {
    try {
      appendFileSync(file, line);
    } catch {
      // A full disk must not take the console down; debugging simply stops.
    }
  };
  debugLog('debug-log-open', { pid: process.pid, argv: process.argv.slice(2).join(' ') });
}

/** Back to the no-op sink (tests). */
export function closeDebugLog(): void {
  sink = undefined;
}

/** Lines go to `write` instead of a file (tests). */
export function setDebugSink(write: DebugSink | undefined): void {
  sink = write;
}
