import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDebugLog, debugLog, escapeLogText, openDebugLog, setDebugSink } from './debug-log.js';

afterEach(() => closeDebugLog());

describe('debug log', () => {
  it('is a no-op without a sink', () => {
    const lines: string[] = [];
    debugLog('poll-start', { host: 'director1' });
    setDebugSink((l) => lines.push(l));
    closeDebugLog();
    debugLog('poll-start', { host: 'director1' });
    expect(lines).toEqual([]);
  });

  it('writes one timestamped line per event, quoting values with spaces', () => {
    const lines: string[] = [];
    setDebugSink((l) => lines.push(l));
    debugLog('ssh-connect-failed', { host: 'director1', kind: 'auth', error: 'all methods failed', skip: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ssh-connect-failed host=director1 kind=auth error="all methods failed"\n$/,
    );
  });

  it('keeps every value on its line: newlines, ANSI sequences, DEL and line separators are escaped', () => {
    const lines: string[] = [];
    setDebugSink((l) => lines.push(l));
    const forged = 'x\n2026-01-01T00:00:00.000Z attached: root';
    debugLog('client', { name: forged, ansi: '\u001b[2Jgone', del: 'a\u007fb', sep: 'a\u2028b', c1: 'a\u009bb' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split('\n')).toHaveLength(2);
    expect(lines[0]).toContain('name="x\\n2026-01-01T00:00:00.000Z attached: root"');
    expect(lines[0]).toContain('ansi="\\u001b[2Jgone"');
    expect(lines[0]).toContain('del="a\\x7fb"');
    expect(lines[0]).toContain('sep="a\\u2028b"');
    expect(lines[0]).toContain('c1="a\\x9bb"');
    expect(escapeLogText('plain text: ok')).toBe('plain text: ok');
    expect(escapeLogText('a\r\nb\tc\u0000')).toBe('a\\r\\nb\\tc\\x00');
  });

  it('appends to a file; a file it cannot create is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-debug-'));
    try {
      expect(() => openDebugLog(join(dir, 'missing-dir', 'debug.log'))).toThrow(/ENOENT/);
      const file = join(dir, 'debug.log');
      const umask = process.umask(0o022);
      try {
        openDebugLog(file);
      } finally {
        process.umask(umask);
      }
      // Created for its owner only, whatever the umask: it names hosts, commands and errors.
      expect(statSync(file).mode & 0o777).toBe(0o600);
      debugLog('poll-end', { host: 'nat-director', ms: 12 });
      const text = readFileSync(file, 'utf8').trim().split('\n');
      expect(text[0]).toContain(' debug-log-open pid=');
      expect(text[1]).toMatch(/Z poll-end host=nat-director ms=12$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
