import { appendFileSync } from 'node:fs';

/** Where debug lines go: nowhere unless `--debug FILE` or LVSTOP_DEBUG named a file. */
type DebugSink = (line: string) => void;

let sink: DebugSink | undefined;

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const HAS_CONTROL = new RegExp(CONTROL.source);

/**
 * Text from outside (a client's name, a remote error) made safe for a one-line log: control characters become
 * `\n`, `\t` or `\xNN`/`\uNNNN` escapes, so a newline cannot start a forged line and an ANSI sequence cannot
 * repaint the terminal that tails the log.
 */
export function escapeLogText(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * One timestamped line: `2026-11-22T04:10:36.123Z <event> key=value ...`. A no-op without a sink, so call sites
 * cost nothing in normal runs. Values are JSON-quoted when they hold spaces, quotes or `=`, and control characters
 * are escaped (escapeLogText), so no value can break the line.
 */
export function debugLog(event: string, fields: Readonly<Record<string, unknown>> = {}): void {
  if (!sink) return;
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
      const quote = /[\s"=]/.test(text) || HAS_CONTROL.test(text) || text === '';
      // JSON.stringify escapes C0 controls; escapeLogText catches DEL, C1 and the separators it leaves.
      return `${k}=${quote ? escapeLogText(JSON.stringify(text)) : text}`;
    });
  sink(`${new Date().toISOString()} ${event}${parts.length ? ' ' + parts.join(' ') : ''}\n`);
}

/**
 * Append debug lines to `file` (created mode 0600: it holds host names, commands and errors; its directory must
 * exist). Synchronous: nothing is lost at exit. Throws when it cannot write.
 */
export function openDebugLog(file: string): void {
  appendFileSync(file, '', { mode: 0o600 });
  sink = (line) => {
    try {
      appendFileSync(file, line);
    } catch {
      // A full disk must not take the console down; debugging simply stops.
    }
  };
  debugLog('debug-log-open', { pid: process.pid, argv: process.argv.slice(2).join(' ') });
}

/** Whether debug lines go anywhere: a caller whose fields cost work to build asks first. */
export function debugLogOn(): boolean {
  return sink !== undefined;
}

/** Back to the no-op sink (tests). */
export function closeDebugLog(): void {
  sink = undefined;
}

/** Lines go to `write` instead of a file (tests). */
export function setDebugSink(write: DebugSink | undefined): void {
  sink = write;
}
