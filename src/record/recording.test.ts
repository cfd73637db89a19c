import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildSnapshot } from '../model/snapshot.js';
import { INCIDENT_START, POLL_MS, recordIncident } from '../../test/support/recorded-incident.js';
import { Recording, RecordingError } from './recording.js';
import { ReplayPlayer } from './replay-player.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-rec-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const segments = (d = dir) =>
  readdirSync(d)
    .filter((n) => n.endsWith('.lvrec.gz'))
    .sort()
    .map((n) => join(d, n));

async function snapshotAt(rec: Recording, at: number) {
  const { store } = await rec.stateAt(at);
  return buildSnapshot(store.getState(), at);
}

describe('recording and replay', () => {
  it('seeking to any moment, between keyframes too, gives the snapshot the live store gave then', async () => {
    // A segment (and keyframe) every 15 s: moments right after a keyframe and deep between two.
    const { live, warnings } = await recordIncident(dir, { segmentMs: 15_000 });
    vi.useRealTimers();
    expect(warnings).toEqual([]);
    expect(segments().length).toBeGreaterThanOrEqual(3);
    const rec = await Recording.open([dir]);
    expect(rec.notes).toEqual([]);
    for (const moment of live)
      expect(await snapshotAt(rec, moment.at), new Date(moment.at).toISOString()).toEqual(moment.snapshot);
    // The split brain is in the recording, and over by the end.
    const during = live[12]!.snapshot.clusters[0]!.alerts;
    expect(during).toMatchObject([{ kind: 'split-brain' }]);
    expect(live[live.length - 1]!.snapshot.clusters[0]!.alerts).toEqual([]);
  });

  it('keyframes inside a segment: a seek starts from the last one before its moment, play goes across them', async () => {
    const { live } = await recordIncident(dir, { keyframeMs: 7_000 });
    vi.useRealTimers();
    expect(segments()).toHaveLength(1);
    const text = gunzipSync(readFileSync(segments()[0]!)).toString('utf8');
    const keys = text.split('\n').filter((l) => l.startsWith('{"t":"key"'));
    // One at the start, then one each 7 s or so of the minute recorded.
    expect(keys.length).toBeGreaterThanOrEqual(8);
    const rec = await Recording.open([dir]);
    for (const moment of live)
      expect(await snapshotAt(rec, moment.at), new Date(moment.at).toISOString()).toEqual(moment.snapshot);
    const player = new ReplayPlayer(rec, await rec.end());
    await player.seek(rec.start);
    const internals = player as unknown as {
      serial(f: () => Promise<void>): Promise<void>;
      advanceNow(at: number): Promise<void>;
    };
    for (const moment of live) {
      await internals.serial(() => internals.advanceNow(moment.at));
      expect(buildSnapshot(player.store.getState(), moment.at)).toEqual(moment.snapshot);
    }
    player.close();
  });

  it('plays forward patch by patch to the same state as a seek', async () => {
    const { live } = await recordIncident(dir, { segmentMs: 15_000 });
    vi.useRealTimers();
    const rec = await Recording.open([dir]);
    const player = new ReplayPlayer(rec, await rec.end());
    await player.seek(rec.start);
    for (const moment of live) {
      await player.seek(moment.at - POLL_MS);
      // Forward through patches (and a keyframe now and then), as play does.
      await (player as unknown as { serial(f: () => Promise<void>): Promise<void> }).serial(() =>
        (player as unknown as { advanceNow(at: number): Promise<void> }).advanceNow(moment.at),
      );
      expect(buildSnapshot(player.store.getState(), moment.at)).toEqual(moment.snapshot);
    }
    // Next alert from the start lands on the split brain's beginning; the one after on its end.
    await player.seek(rec.start);
    expect(await player.step(1, true)).toBe(true);
    const begin = player.position;
    expect(player.store.getState().events.at(-1)?.kind).toMatch(/split-brain-begin|vrrp-transition/);
    expect(buildSnapshot(player.store.getState(), begin).clusters[0]!.alerts).toMatchObject([{ kind: 'split-brain' }]);
    player.close();
  });

  it('a truncated tail is skipped; the state before it replays', async () => {
    const { live } = await recordIncident(dir);
    vi.useRealTimers();
    const [file] = segments();
    const data = readFileSync(file!);
    writeFileSync(file!, data.subarray(0, Math.floor(data.length * 0.6)));
    const rec = await Recording.open([file!]);
    const end = await rec.end();
    expect(end).toBeGreaterThan(INCIDENT_START);
    expect(end).toBeLessThan(live[live.length - 1]!.at);
    const before = live.filter((m) => m.at <= end).at(-1)!;
    expect(await snapshotAt(rec, before.at)).toEqual(before.snapshot);
  });

  it('a corrupted middle segment: what came before it replays, a note says what was lost, later segments replay', async () => {
    const { live } = await recordIncident(dir, { segmentMs: 15_000 });
    vi.useRealTimers();
    const files = segments();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const middle = files[1]!;
    const data = Buffer.from(readFileSync(middle));
    for (let i = Math.floor(data.length / 2); i < data.length - 20; i += 7) data[i] = data[i]! ^ 0x5a;
    writeFileSync(middle, data);
    const rec = await Recording.open([dir]);
    const last = live[live.length - 1]!;
    expect(await snapshotAt(rec, last.at)).toEqual(last.snapshot);
    const first = live[2]!;
    expect(await snapshotAt(rec, first.at)).toEqual(first.snapshot);
    // A moment in the damaged segment shows what was recorded before the damage (the keyframe at least).
    const inside = await snapshotAt(rec, live[9]!.at);
    expect(inside.hosts.map((h) => h.name)).toEqual(['director1', 'director2']);
    expect(rec.notes.join('\n')).toMatch(/damaged after .*: the rest of that segment is lost; replay goes on from/);
  });

  it('refuses a file that is not a recording and a newer format version, with a clear message', async () => {
    const junk = join(dir, 'junk.lvrec.gz');
    writeFileSync(junk, 'hello\n');
    await expect(Recording.open([junk])).rejects.toThrow(RecordingError);
    await expect(Recording.open([junk])).rejects.toThrow(/not an lvstop recording/);
    const plain = join(dir, 'plain.lvrec.gz');
    writeFileSync(plain, gzipSync('{"some":"json"}\n'));
    await expect(Recording.open([plain])).rejects.toThrow(/no header line/);
    const newer = join(dir, 'newer.lvrec.gz');
    writeFileSync(newer, gzipSync(JSON.stringify({ t: 'header', v: 99, at: 1, site: 'x', seed: {} }) + '\n'));
    await expect(Recording.open([newer])).rejects.toThrow(/format version 99 is newer than this lvstop reads \(1\)/);
  });

  it('writes segments 0600 in a 0700 directory', async () => {
    const sub = join(dir, 'recordings');
    await recordIncident(sub, { polls: 3 });
    vi.useRealTimers();
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    for (const f of segments(sub)) expect(statSync(f).mode & 0o777).toBe(0o600);
  });
});
