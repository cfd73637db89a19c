/**
 * What recording costs the console on the lab, measured in one run: the console's poller (createFleet: SSH to the 8
 * lab hosts, parsing, the store, events, probes) runs throughout, and the recorder (the one `--record` and `serve`
 * use) is started and stopped in alternate windows. The process CPU time (user + system, all threads: the gzip
 * work runs off the main thread) of the windows with and without recording is compared. Drawing is not included:
 * it costs the same either way, so the percentage here is an upper bound of what recording adds to a whole console.
 * Needs the lab up and a build: `npm run bench:recording-lab`. Writes bench/results/recording-lab.json.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/poller/fleet.js';
import { startRecording } from '../src/record/start-recording.js';

const root = resolve(import.meta.dirname, '../..');
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 40_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const WARMUP_MS = 40_000;
const SETTLE_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const resolved = await loadConfig(resolve(root, '.lab/lvstop.json'));
const fleet = createFleet(resolved, {});
const dir = mkdtempSync(join(tmpdir(), 'lvstop-rec-bench-'));
fleet.start();
await sleep(WARMUP_MS);

const rounds: { recording: boolean; cpuMs: number; ms: number }[] = [];
try {
  for (let i = 0; i < PAIRS * 2; i++) {
    // off, on, on, off, off, on, …: each side gets as many early and late windows.
    const recording = [false, true, true, false][i % 4]!;
    const recorder = recording
      ? await startRecording(resolved, fleet.store, { site: 'bench', dir, onWarning: (m) => console.warn(m) })
      : undefined;
    // The recorder's start (directory, first segment, its keyframe) is left out: a console records continuously, so
    // what it pays is the steady state, a keyframe every 30 s among the patches (each window holds one).
    if (recorder) await sleep(SETTLE_MS);
    const c0 = cpuMs();
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    await recorder?.stop();
    rounds.push({ recording, cpuMs: cpuMs() - c0, ms: performance.now() - t0 });
    console.log(
      `${recording ? 'on ' : 'off'} ${Math.round(cpuMs() - c0)} ms CPU in ${Math.round(performance.now() - t0)} ms`,
    );
  }
} finally {
  await fleet.stop();
}
const perSec = (on: boolean) => {
  const r = rounds.filter((x) => x.recording === on);
  return r.reduce((a, x) => a + x.cpuMs, 0) / (r.reduce((a, x) => a + x.ms, 0) / 1000);
};
const off = perSec(false);
const on = perSec(true);
const bytes = readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
rmSync(dir, { recursive: true, force: true });
const result = {
  date: new Date().toISOString(),
  machine: { nproc: cpus().length, node: process.version, loadAverage1m: loadavg()[0] },
  hosts: Object.keys(resolved.config.hosts).length,
  pollIntervalMs: fleet.store.getState().pollIntervalMs,
  windowMs: WINDOW_MS,
  recorderSettleMs: SETTLE_MS,
  rounds: rounds.map((r) => `${r.recording ? 'on' : 'off'} ${Math.round(r.cpuMs)}`).join(', '),
  consoleCpuMsPerSecond: Math.round(off * 10) / 10,
  withRecordingCpuMsPerSecond: Math.round(on * 10) / 10,
  overheadPercent: Math.round(((on - off) / off) * 1000) / 10,
  targetPercent: 5,
  recordedBytes: bytes,
  recordedSeconds: (PAIRS * WINDOW_MS) / 1000,
};
console.log(JSON.stringify(result, null, 1));
writeFileSync(resolve(root, 'bench/results/recording-lab.json'), `${JSON.stringify(result, null, 1)}\n`);
process.exit(0);
