/**
 * Recording cost, on a simulated fleet (bench/recording-sim.ts): compressed size per host-hour (lab-like, 8 hosts at
 * 2 s), open and seek times in a simulated 24-hour, 300-host recording, and the CPU a poll costs with and without
 * recording (same run, alternating). Results: bench/results/recording.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { constants, createGzip } from 'node:zlib';
import { buildSnapshot } from '../src/model/snapshot.js';
import { STORE_COMMIT_WINDOW_MS } from '../src/poller/fleet.js';
import { RecordEncoder } from '../src/record/record-codec.js';
import { DEFAULT_BATCH_MS, DEFAULT_KEYFRAME_MS, DEFAULT_SEGMENT_MS, GZIP_LEVEL } from '../src/record/recorder.js';
import { Recording } from '../src/record/recording.js';
import { SegmentWriter, simFleet, START } from './recording-sim.js';

const root = resolve(import.meta.dirname, '../..');
const SEGMENT_S = DEFAULT_SEGMENT_MS / 1000;
/**
 * Every third hour (01:30, 04:30, ... 22:30) one segment has every host polled every 2 s, as the recorder would see
 * them all day: the seeks land there. Elsewhere each host is polled once per segment (thinner patches), which keeps
 * the simulation of a day short on a shared machine; keyframes are the full state all the same.
 */
const MEASURED_S = 30 * 60;
const MEASURED_EVERY_H = 3;
const THIN_EVERY_S = SEGMENT_S;
/** Rounds of polling without and with recording, each way. */
const CPU_ROUNDS = 8;
const CPU_ROUND_S = 30;

const dirBytes = (dir: string) => readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);

/** `seconds` of the fleet, recorded into `dir`; `full(second)` says whether that second is polled at the full rate. */
async function record(hosts: number, seconds: number, dir: string, full = (_s: number) => true): Promise<number> {
  const sim = simFleet(hosts);
  const writer = new SegmentWriter(sim, dir);
  for (let second = 0; second < seconds; second++) {
    if (full(second) || second % THIN_EVERY_S < 2) sim.poll(second, writer.record);
    // Between thin polls the recorder still writes its keyframes on time.
    else if ((second * 1000) % DEFAULT_KEYFRAME_MS === 0) writer.record(START + second * 1000 + STORE_COMMIT_WINDOW_MS);
    if (second % 60 === 0) await new Promise((r) => setImmediate(r));
  }
  await writer.close();
  return dirBytes(dir);
}

const isFull = (second: number) =>
  Math.floor(second / 3600) % MEASURED_EVERY_H === 1 &&
  second % 3600 >= MEASURED_S &&
  second % 3600 < MEASURED_S + SEGMENT_S;

const pct = (sorted: readonly number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!);

/** Open the day's recording, then seek into its full-rate segments, each seek on segments not decoded yet. */
async function seeks(dir: string, hoursRecorded: number) {
  let t = performance.now();
  const rec = await Recording.open([dir]);
  const openMs = performance.now() - t;
  t = performance.now();
  await rec.end();
  const endMs = performance.now() - t;
  const hours = Array.from({ length: hoursRecorded }, (_, h) => h).filter((h) => isFull(h * 3600 + MEASURED_S));
  // Right before a keyframe (the most patches after the one before), and at varied moments, in turn across the day.
  const moments = [30, 60, SEGMENT_S - 1, -1].flatMap((into) =>
    hours.map((h) => h * 3600 + MEASURED_S + (into >= 0 ? into : 3 + ((h * 37) % (SEGMENT_S - 6)))),
  );
  const times: number[] = [];
  for (const s of moments) {
    const at = START + s * 1000;
    const t0 = performance.now();
    const { store } = await rec.stateAt(at);
    buildSnapshot(store.getState(), at);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    openMs: Math.round(openMs),
    endMs: Math.round(endMs),
    seekMs: {
      n: times.length,
      p50: pct(times, 50),
      p95: pct(times, 95),
      max: pct(times, 100),
      targetMax: 500,
      note: 'a seek = the state at a moment (Recording.stateAt: read and inflate the segment, the last keyframe before the moment, the patches up to it) and its snapshot, each on a segment not decoded yet',
    },
  };
}

/** The whole console's CPU at 300 hosts every 2 s, drawing, from the fleet bench's last results (ms per second). */
function consoleCpuMsPerSecond(): number | undefined {
  try {
    const fleet = JSON.parse(readFileSync(resolve(root, 'bench/results/fleet.json'), 'utf8')) as {
      cases: Record<string, { steady?: { cpuPercentOfOneCore?: number } }>;
    };
    const pct = fleet.cases['render-300-2s']?.steady?.cpuPercentOfOneCore;
    return pct === undefined ? undefined : pct * 10;
  } catch {
    return undefined;
  }
}

async function cpuMs(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

/**
 * The same 300-host polls with and without recording, in short alternating rounds (the machine is shared: many short
 * rounds in turn see the same conditions): a recording round follows the store, writes a keyframe each
 * DEFAULT_KEYFRAME_MS and a patch per recorder batch, compressed with a sync flush each second.
 */
async function cpuOverhead() {
  const sim = simFleet(300);
  const z = createGzip({ level: GZIP_LEVEL });
  z.resume();
  let encoder = new RecordEncoder();
  let lastPatch = 0;
  let recordMs = 0;
  // As the recorder: lines gather and go to gzip together once a second, with a sync flush.
  let pending: string[] = [];
  const patch = (at: number) => {
    if (at - lastPatch < DEFAULT_BATCH_MS) return;
    const t = performance.now();
    lastPatch = at;
    const line = encoder.patch(sim.store.getState(), at);
    if (line) pending.push(JSON.stringify(line) + '\n');
    recordMs += performance.now() - t;
  };
  // Warm up first (the code paths compile), then rounds without and with recording in turn.
  for (let second = 0; second < 60; second++) sim.poll(second, second >= 30 ? patch : undefined);
  recordMs = 0;
  const rounds: { recording: boolean; ms: number }[] = [];
  let second = 60;
  for (let round = 0; round < 2 * CPU_ROUNDS; round++) {
    // off, on, on, off, off, on...: a drift in the machine's pace weighs on both sides alike.
    const recording = [1, 2].includes(round % 4);
    const ms = await cpuMs(async () => {
      if (recording) {
        encoder = new RecordEncoder();
        encoder.written.follow(sim.store);
      }
      for (let i = 0; i < CPU_ROUND_S; i++, second++) {
        const t = performance.now();
        if (recording && (i * 1000) % DEFAULT_KEYFRAME_MS === 0)
          pending.push(JSON.stringify(encoder.keyframe(sim.store.getState(), START + second * 1000)) + '\n');
        recordMs += performance.now() - t;
        sim.poll(second, recording ? patch : undefined);
        if (!recording) continue;
        const t2 = performance.now();
        z.write(pending.join(''));
        pending = [];
        recordMs += performance.now() - t2;
        // The compression runs on the thread pool: wait for it, so its CPU is counted in this round.
        await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
      }
      encoder.written.stop();
    });
    rounds.push({ recording, ms });
    await new Promise((r) => setImmediate(r));
  }
  const sum = (on: boolean) => rounds.filter((r) => r.recording === on).reduce((a, r) => a + r.ms, 0);
  const [off, on] = [sum(false), sum(true)];
  const perSecond = (on - off) / (CPU_ROUNDS * CPU_ROUND_S);
  const console300 = consoleCpuMsPerSecond();
  return {
    pollOnlyMs: Math.round(off),
    pollAndRecordMs: Math.round(on),
    overheadPercent: Math.round(((on - off) / off) * 1000) / 10,
    recordingCpuMsPerSecond: Math.round(perSecond * 100) / 100,
    ...(console300
      ? {
          consoleCpuMsPerSecond: console300,
          overheadOfConsolePercent: Math.round((perSecond / console300) * 1000) / 10,
          consoleNote:
            'consoleCpuMsPerSecond: the whole 300-host console at 2 s (SSH, parsing, store, drawing) as bench/results/fleet.json measured it (render-300-2s, another run); overheadOfConsolePercent: what recording adds to it',
        }
      : {}),
    recordingMainThreadMs: Math.round(recordMs),
    recordingMainThreadPercent: Math.round((recordMs / off) * 1000) / 10,
    roundsMs: rounds.map((r) => `${r.recording ? 'on' : 'off'} ${Math.round(r.ms)}`).join(', '),
    targetPercent: 5,
    note: `${CPU_ROUNDS} rounds of ${CPU_ROUND_S} simulated s each way, alternating; process CPU (all threads); poll = captured output parsed through the host plans into the store in 50 ms commit windows, events derived (no SSH, no drawing); record = a keyframe each ${DEFAULT_KEYFRAME_MS / 1000} s, a patch per ${DEFAULT_BATCH_MS} ms batch, gzip level ${GZIP_LEVEL} with a sync flush each second. recordingMainThread = the time inside the recording's own calls (encoding, JSON, handing lines to gzip), without the compression threads`,
  };
}

async function main() {
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
  const work = mkdtempSync(join(tmpdir(), 'lvstop-bench-rec-'));
  const keep = process.env.BENCH_KEEP;
  try {
    // 1. Size: 8 lab-like hosts at 2 s, one simulated hour.
    const smallDir = join(work, 'small');
    mkdirSync(smallDir);
    const small = await record(8, 3600, smallDir);
    results.size8HostsPerHourBytes = small;
    results.sizePerHostHourBytes = Math.round(small / 8);
    results.sizeTargetBytes = 2 * 1024 * 1024;

    // 2. CPU: recording's cost on the same polls (before the day's simulation fills the heap).
    results.cpu = await cpuOverhead();
    if (process.env.BENCH_CPU_ONLY) return console.log(JSON.stringify(results.cpu, null, 2));

    // 3. Open and seek in a day of 300 hosts.
    const hours = Number(process.env.BENCH_HOURS ?? 24);
    const bigDir = keep ?? join(work, 'big');
    mkdirSync(bigDir, { recursive: true });
    const t0 = performance.now();
    const big = await record(300, hours * 3600, bigDir, isFull);
    const simulateMs = Math.round(performance.now() - t0);
    const files = readdirSync(bigDir).sort();
    const sizes = files.map((f) => statSync(join(bigDir, f)).size);
    const measured = files.map((f, i) => ({ f, size: sizes[i]! })).filter((_x, i) => isFull(i * SEGMENT_S + 1));
    results.big = {
      simulated: `${hours} h of 300 hosts (100 directors in 50 pairs, VRRP flips every 40 min per pair), a segment every ${SEGMENT_S} s and a keyframe every ${DEFAULT_KEYFRAME_MS / 1000} s as the recorder writes them, each keyframe the full state of the fleet at that moment (history, event ring); every host polled every 2 s in the segment from hh:30 every ${MEASURED_EVERY_H} h from 01:30 (the measured segments, where the seeks land), once per ${THIN_EVERY_S} s elsewhere`,
      hosts: 300,
      hours,
      segments: files.length,
      bytes: big,
      fullRateSegmentBytes: {
        min: Math.min(...measured.map((m) => m.size)),
        max: Math.max(...measured.map((m) => m.size)),
      },
      fullRatePerHourBytesEstimate: Math.round((measured.reduce((a, m) => a + m.size, 0) / measured.length) * 30),
      simulateMs,
    };
    Object.assign(results, await seeks(bigDir, hours));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/recording.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

await main();
