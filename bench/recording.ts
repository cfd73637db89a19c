/**
 * Recording cost, on a simulated fleet fed through the poller's own host plans with captured output (counters varied
 * every poll): compressed size per host-hour (lab-like, 8 hosts at 2 s), seek time in a 300-host recording, and the
 * CPU a poll costs with and without recording (same run, alternating). Writes the recorder's format (RecordEncoder,
 * gzip, a sync flush each simulated second, a segment and keyframe every 2 minutes). Results:
 * bench/results/recording.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { SectionOutput } from '../collectors/section.js';
import { parseConfigText } from '../src/config/load-config.js';
import { buildSnapshot } from '../src/model/snapshot.js';
import { clusterInfos, planHost } from '../src/poller/host-plan.js';
import { RecordEncoder } from '../src/record/record-codec.js';
import { RECORD_FORMAT_VERSION, segmentName, type RecordHeader } from '../src/record/record-format.js';
import { DEFAULT_SEGMENT_MS } from '../src/record/recorder.js';
import { Recording } from '../src/record/recording.js';
import { createLvsStore, type LvsStore } from '../src/store/lvs-store.js';

const root = resolve(import.meta.dirname, '../..');
const fx = (p: string) => readFileSync(resolve(root, 'test/fixtures', p), 'utf8');
const POLL_MS = 2000;
const START = Date.parse('2026-11-22T00:00:00Z');

function fleetConfig(hosts: number) {
  const names = Array.from({ length: hosts }, (_, i) => `h${i}`);
  const pairs = Math.max(1, Math.floor(hosts / 3 / 2));
  const clusters = Array.from({ length: pairs }, (_, i) => ({
    name: `c${i}`,
    mode: 'dr',
    vips: ['10.18.11.40'],
    directors: [
      { host: names[2 * i]!, keepalived: { instances: ['VI_WEB'] } },
      { host: names[2 * i + 1]!, keepalived: { instances: ['VI_WEB'] } },
    ],
  }));
  return parseConfigText(
    JSON.stringify({ pollIntervalMs: POLL_MS, hosts: Object.fromEntries(names.map((n) => [n, {}])), clusters }),
    'bench.json',
  );
}

const STATS = fx('healthy/director1/ipvsadm-Ln-stats.txt');
const LIST = fx('healthy/director1/ipvsadm-Ln.txt');
const HOST_SECTIONS = {
  loadavg: fx('local/loadavg.txt'),
  uptime: fx('local/uptime.txt'),
  meminfo: fx('local/meminfo.txt'),
  osrelease: fx('local/osrelease.txt'),
  'ip-addr': fx('local/ip-addr.json'),
};
const KA = [fx('keepalived-netns/healthy-master.dump.txt'), fx('keepalived-netns/fault.dump.txt')];

/** Captured output with this poll's counters: every standalone number on a counter line grows. */
function outputs(host: number, poll: number, director: boolean): Map<string, SectionOutput> {
  const grow = (n: string) => String(Number(n) + poll * (3 + (host % 7)));
  const sections: Record<string, string> = { ...HOST_SECTIONS };
  if (director) {
    sections['ipvs-list'] = LIST;
    sections['ipvs-stats'] = STATS.split('\n')
      .map((l, i) => (i < 3 ? l : l.replace(/(\s+)(\d+)(?=\s|$)/g, (_m, s: string, n: string) => s + grow(n))))
      .join('\n');
    sections.keepalived = KA[host % 2]!;
  }
  return new Map(Object.entries(sections).map(([id, stdout]) => [id, { id, stdout, stderr: '', exitCode: 0 }]));
}

interface Sim {
  readonly store: LvsStore;
  poll(second: number): void;
}

function simFleet(hosts: number): Sim {
  const config = fleetConfig(hosts);
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: Object.keys(config.hosts),
    pollIntervalMs: POLL_MS,
    readOnly: true,
  });
  const directors = new Set(config.clusters.flatMap((c) => c.directors.map((d) => d.host)));
  const plans = Object.keys(config.hosts).map((h) => ({ h, plan: planHost(config, h), director: directors.has(h) }));
  return {
    store,
    // Half the hosts each second: every host once per 2 s poll, spread as the poller spreads them.
    poll(second) {
      const at = START + second * 1000;
      plans.forEach(({ h, plan, director }, i) => {
        if (i % 2 !== second % 2) return;
        store.getState().batch(() => {
          store.getState().hostUp(h, at, 40);
          plan.apply(outputs(i, Math.floor(second / 2), director), store.getState(), at);
        });
      });
    },
  };
}

/** The recorder's output for `seconds` of the fleet, as segment files in `dir`; returns their total size. */
async function record(sim: Sim, seconds: number, dir: string): Promise<number> {
  const encoder = new RecordEncoder();
  let gzip: Gzip | undefined;
  let pending: Promise<void> = Promise.resolve();
  const open = (at: number) => {
    const chunks: Buffer[] = [];
    const z = createGzip({ level: 6 });
    const file = join(dir, segmentName('lvstop-', 'bench', at));
    z.on('data', (c: Buffer) => chunks.push(c));
    const prev = pending;
    pending = Promise.all([prev, new Promise<void>((r) => z.on('end', () => r()))]).then(() =>
      writeFileSync(file, Buffer.concat(chunks)),
    );
    const s = sim.store.getState();
    const header: RecordHeader = {
      t: 'header',
      v: RECORD_FORMAT_VERSION,
      at,
      site: 'bench',
      seed: { clusters: s.clusters, hosts: Object.keys(s.hosts), pollIntervalMs: POLL_MS, readOnly: true },
      summary: { clusters: s.clusters.map((c) => c.name), hosts: Object.keys(s.hosts), pollIntervalMs: POLL_MS },
    };
    z.write(JSON.stringify(header) + '\n');
    z.write(JSON.stringify(encoder.keyframe(s, at)) + '\n');
    return z;
  };
  sim.poll(0);
  sim.poll(1);
  gzip = open(START + 1000);
  let segmentStart = START + 1000;
  for (let second = 2; second < seconds; second++) {
    sim.poll(second);
    const at = START + second * 1000;
    const line = encoder.patch(sim.store.getState(), at);
    if (line) gzip.write(JSON.stringify(line) + '\n');
    gzip.flush(constants.Z_SYNC_FLUSH);
    if (at - segmentStart >= DEFAULT_SEGMENT_MS) {
      gzip.end();
      gzip = open(at);
      segmentStart = at;
    }
    if (second % 60 === 0) await new Promise((r) => setImmediate(r));
  }
  gzip.end();
  await pending;
  return readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}

async function cpuMs(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

async function main() {
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
  const work = mkdtempSync(join(tmpdir(), 'lvstop-bench-rec-'));
  try {
    // 1. Size: 8 lab-like hosts at 2 s, one simulated hour.
    const smallDir = join(work, 'small');
    mkdirSync(smallDir);
    const small = await record(simFleet(8), 3600, smallDir);
    results.size8HostsPerHourBytes = small;
    results.sizePerHostHourBytes = Math.round(small / 8);
    results.sizeTargetBytes = 2 * 1024 * 1024;

    // 2. Seek: 300 hosts at 2 s. Seek cost depends on one segment (a keyframe and up to 2 minutes of patches) and on
    // the number of segments, so a shorter recording is simulated and its segments' count is reported.
    const minutes = Number(process.env.BENCH_MINUTES ?? 20);
    const bigDir = join(work, 'big');
    mkdirSync(bigDir);
    const t0 = performance.now();
    const big = await record(simFleet(300), minutes * 60, bigDir);
    results.big = {
      hosts: 300,
      minutes,
      bytes: big,
      perHourBytes: Math.round((big / minutes) * 60),
      segments: readdirSync(bigDir).length,
      simulateMs: Math.round(performance.now() - t0),
    };
    const seeks: number[] = [];
    for (let i = 0; i < 12; i++) {
      const rec = await Recording.open([bigDir]);
      // A moment late in a segment: the most patches after its keyframe.
      const at = START + (((i * 7919) % (minutes * 60 - 10)) + 5) * 1000;
      const s = performance.now();
      const { store } = await rec.stateAt(at);
      buildSnapshot(store.getState(), at);
      seeks.push(performance.now() - s);
    }
    seeks.sort((a, b) => a - b);
    results.seekMs = { p50: Math.round(seeks[6]!), max: Math.round(seeks[seeks.length - 1]!), targetMax: 500 };

    // 3. CPU: the same 300-host polls with and without encoding and compressing, alternating rounds of 60 s.
    const sim = simFleet(300);
    const encoder = new RecordEncoder();
    const z = createGzip({ level: 6 });
    z.resume();
    sim.poll(0);
    encoder.keyframe(sim.store.getState(), START);
    let off = 0;
    let on = 0;
    let second = 1;
    for (let round = 0; round < 6; round++) {
      const recording = round % 2 === 1;
      const ms = await cpuMs(async () => {
        for (let i = 0; i < 60; i++, second++) {
          sim.poll(second);
          if (!recording) continue;
          const line = encoder.patch(sim.store.getState(), START + second * 1000);
          if (line) z.write(JSON.stringify(line) + '\n');
          // The compression runs on the thread pool: wait for it, so its CPU is counted in this round.
          await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
        }
      });
      if (recording) on += ms;
      else off += ms;
      await new Promise((r) => setImmediate(r));
    }
    results.cpu = {
      pollOnlyMs: Math.round(off),
      pollAndRecordMs: Math.round(on),
      overheadPercent: Math.round(((on - off) / off) * 1000) / 10,
      targetPercent: 5,
      note: 'poll = parsing captured output through the host plans into the store (no SSH, no drawing)',
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/recording.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

await main();
