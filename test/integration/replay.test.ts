import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../src/config/load-config.js';
import { vrrpAlerts, vrrpRows } from '../../src/model/vrrp.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import type { Recorder } from '../../src/record/recorder.js';
import { startRecording } from '../../src/record/start-recording.js';
import type { LvsState } from '../../src/store/lvs-store.js';
import { brokenPairAlerts, eventually, LAB_CONFIG, labCommand, paced, runCli } from '../support/lab.js';

/**
 * A split brain caused for real (kill -9 of the MASTER's keepalived leaves its VIP behind while the peer takes over),
 * recorded as serve records, then replayed: `--at` inside it shows the alert and the VIP on both directors, `--at`
 * before it the normal state, `--events` its start and end within one poll of the live event log.
 */
const POLL_MS = 1000;
let fleet: Fleet;
let resolved: ResolvedConfig;
let recorder: Recorder;
let dir = '';
const warnings: string[] = [];
const state = () => fleet.store.getState();
const cluster = (s: LvsState) => s.clusters.find((c) => c.name === 'wordpress')!;
const until = async <T>(check: (s: LvsState) => T | undefined | false, timeoutMs: number) =>
  eventually(async () => check(state()) || undefined, await paced(timeoutMs), 200);
const iso = (ms: number) => new Date(ms).toISOString();

interface ReplayedSnapshot {
  readonly recordedAt: string;
  readonly clusters: readonly {
    readonly name: string;
    readonly alerts: readonly { kind: string; message: string }[];
    readonly vrrp: readonly { director: string; state: string; holdsVips: readonly string[] }[];
  }[];
}

async function replayAt(at: number): Promise<ReplayedSnapshot> {
  const r = await runCli(['replay', dir, '--at', iso(at), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ReplayedSnapshot;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-replay-lab-'));
  resolved = await loadConfig(LAB_CONFIG);
  fleet = createFleet(resolved, { pollIntervalMs: POLL_MS });
  fleet.start();
  recorder = await startRecording(resolved, fleet.store, { site: 'lab', dir, onWarning: (m) => warnings.push(m) });
  await until(
    (s) =>
      vrrpRows(s, cluster(s)).some((r) => r.state === 'MASTER') &&
      brokenPairAlerts(vrrpAlerts(s, cluster(s))).length === 0,
    60_000,
  );
});

afterAll(async () => {
  await recorder?.stop();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a split brain recorded and replayed', () => {
  it('replay --at inside shows it, before it the normal state; --events lists its start and end', async () => {
    // A moment well inside the normal state: the recorder batches for 200 ms and flushes every second, so the
    // readings that made it normal are on disk with times before `before`.
    await new Promise((r) => setTimeout(r, 3000));
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    let during = 0;
    await labCommand('fault', 'kill9-keepalived', 'director1');
    try {
      const split = (s: LvsState) =>
        vrrpAlerts(s, cluster(s)).some(
          (a) => a.kind === 'split-brain' && /is on director1 and director2/.test(a.message),
        );
      await until(split, 60_000);
      // A moment inside it, not its first instant: the recorder writes what changed in batches of 200 ms, so the
      // change that began it is recorded a little after the console saw it. It must still hold after that moment.
      await new Promise((r) => setTimeout(r, 1000));
      during = Date.now();
      await new Promise((r) => setTimeout(r, 500));
      expect(split(state())).toBe(true);
    } finally {
      await labCommand('fault', '--repair', 'kill9-keepalived', 'director1');
    }
    await until(
      (s) =>
        brokenPairAlerts(vrrpAlerts(s, cluster(s))).length === 0 &&
        state().events.some((e) => e.kind === 'split-brain-end'),
      40_000,
    );
    // Let the recorder's flush (every second) take the end of it to disk.
    await new Promise((r) => setTimeout(r, 1500));
    expect(warnings).toEqual([]);

    const inside = await replayAt(during);
    expect(inside.recordedAt).toBe(iso(during));
    const wp = inside.clusters.find((c) => c.name === 'wordpress')!;
    expect(wp.alerts.some((a) => a.kind === 'split-brain' && /is on director1 and director2/.test(a.message))).toBe(
      true,
    );
    const vip = wp.alerts.map((a) => /VIP (\S+) is on/.exec(a.message)?.[1]).find(Boolean)!;
    for (const d of ['director1', 'director2'])
      expect(wp.vrrp.filter((r) => r.director === d).some((r) => r.holdsVips.includes(vip))).toBe(true);

    const normal = await replayAt(before);
    const wpBefore = normal.clusters.find((c) => c.name === 'wordpress')!;
    expect(brokenPairAlerts(wpBefore.alerts)).toEqual([]);
    expect(wpBefore.vrrp.filter((r) => r.state === 'MASTER')).toHaveLength(1);

    const events = await runCli(['replay', dir, '--events', '--from', iso(before)]);
    expect(events.code, events.stderr).toBe(0);
    const at = (kind: string) => {
      const line = events.stdout.split('\n').find((l) => l.includes(` ${kind} `));
      return line ? Date.parse(line.slice(0, 24)) : undefined;
    };
    const live = (kind: string) => state().events.find((e) => e.kind === kind && e.at >= before)?.at;
    for (const kind of ['split-brain-begin', 'split-brain-end']) {
      expect(at(kind), kind).toBeDefined();
      expect(Math.abs(at(kind)! - live(kind)!), kind).toBeLessThanOrEqual(POLL_MS);
    }
  });
});
