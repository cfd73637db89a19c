import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDebugLog, debugLog, openDebugLog, setDebugSink } from './debug-log.js';

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

  it('appends to a file; a file it cannot create is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-debug-'));
    try {
      expect(() => openDebugLog(join(dir, 'missing-dir', 'debug.log'))).toThrow(/ENOENT/);
      const file = join(dir, 'debug.log');
      openDebugLog(file);
      debugLog('poll-end', { host: 'nat-director', ms: 12 });
      const text = readFileSync(file, 'utf8').trim().split('\n');
      expect(text[0]).toContain(' debug-log-open pid=');
      expect(text[1]).toMatch(/Z poll-end host=nat-director ms=12$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
