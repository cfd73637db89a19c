import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INCIDENT_START, recordIncident } from '../../test/support/recorded-incident.js';
import { segmentName } from './record-format.js';
import { enforceRetention } from './retention.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-recorder-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('recorder failures', () => {
  it('an unwritable directory: one warning, and polling goes on', async () => {
    writeFileSync(join(dir, 'file'), '');
    const { warnings, live, recorder } = await recordIncident(join(dir, 'file', 'recordings'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/recording stopped: .*recordings: .*the console goes on without recording/);
    expect(recorder.recording).toBe(false);
    // Every poll landed in the store: the split brain came and went.
    expect(live).toHaveLength(29);
    expect(live[12]!.snapshot.clusters[0]!.alerts).toMatchObject([{ kind: 'split-brain' }]);
  });

  it.skipIf(process.platform !== 'linux')('a full disk: one warning, and polling goes on', async () => {
    // The first segment's name is known (fake clock): it leads to /dev/full, where every write fails with ENOSPC.
    symlinkSync('/dev/full', join(dir, segmentName('lvstop-', 'lab', INCIDENT_START)));
    const { warnings, live } = await recordIncident(dir);
    expect(warnings).toEqual([expect.stringMatching(/recording stopped: .*disk full/)]);
    expect(live).toHaveLength(29);
    expect(live.at(-1)!.snapshot.clusters[0]!.alerts).toEqual([]);
  });
});

describe('retention', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-11-22T12:00:00Z');
  function segment(name: string, bytes: number, ageMs: number): string {
    const file = join(dir, `${name}.lvrec.gz`);
    writeFileSync(file, Buffer.alloc(bytes));
    utimesSync(file, (now - ageMs) / 1000, (now - ageMs) / 1000);
    return file;
  }

  it('drops the oldest segments until the total fits, never the one being written', async () => {
    const old = segment('a', 400, 3 * DAY);
    const mid = segment('b', 400, 2 * DAY);
    segment('c', 400, DAY);
    const current = segment('d', 400, 0);
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'notes.txt'), Buffer.alloc(5000));
    const removed = await enforceRetention(dir, { maxBytes: 900, maxAgeMs: 30 * DAY, keep: current, now });
    expect(removed).toEqual([old, mid]);
    expect(readdirSync(dir).sort()).toEqual(['c.lvrec.gz', 'd.lvrec.gz', 'notes.txt', 'other']);
  });

  it('drops segments older than the age limit', async () => {
    const old = segment('a', 10, 8 * DAY);
    segment('b', 10, 6 * DAY);
    expect(await enforceRetention(dir, { maxBytes: 1e9, maxAgeMs: 7 * DAY, now })).toEqual([old]);
  });
});
