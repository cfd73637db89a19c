/**
 * The console on a starved lab: its poller (createFleet, the lab config, 2 s) runs against a lab whose guest has been
 * given one host core (bench/starved-lab.sh caps it), every real server healthy. Counted once a second: samples with
 * a real server paged down or a service paged without a healthy server (every one of them false: nothing is down),
 * and the polls each director completed. At the end the guest's CPU pressure and an OpenSSH round trip, taken while the
 * poller still runs. `node dist/bench/starved-lab.js DIST LABEL` runs the build under DIST (this one, or an older one
 * for comparison in the same run) and prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const dist = resolve(process.argv[2] ?? resolve(root, 'dist'));
const label = process.argv[3] ?? 'this build';
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 40_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 180);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Module = Record<string, (...args: never[]) => unknown>;
const load = async (path: string) => (await import(resolve(dist, path))) as Module;
const { loadConfig } = await load('src/config/load-config.js');
const { createFleet } = await load('src/poller/fleet.js');
const { healthAlerts } = await load('src/model/health-alerts.js');

interface Alert {
  kind: string;
  director: string;
  realServer?: string;
  service: string;
}
interface Fleet {
  start(): void;
  stop(): Promise<void>;
  store: { getState(): { clusters: unknown[]; ipvs: Record<string, { readAt: number } | undefined> } };
}

const ssh = async (host: string, command: string) =>
  (
    await run('ssh', ['-F', resolve(root, '.lab/ssh_config'), '-o', 'BatchMode=yes', host, command], {
      timeout: 120_000,
    })
  ).stdout;

const config = await (loadConfig as (p: string) => Promise<unknown>)(resolve(root, '.lab/lvstop.json'));
const fleet = (createFleet as (c: unknown, o: object) => Fleet)(config, {});
fleet.start();
await sleep(SETTLE_MS);
const paged = new Map<string, number>();
let falseSamples = 0;
const reads = new Map<string, Set<number>>();
for (let i = 0; i < SAMPLES; i++) {
  await sleep(1000);
  const state = fleet.store.getState();
  const now = Date.now();
  const alerts = state.clusters.flatMap((c) =>
    (healthAlerts as (s: unknown, c: unknown, n: number) => Alert[])(state, c, now),
  );
  const pages = alerts.filter((a) => a.kind === 'rs-down-in-rotation' || a.kind === 'no-healthy-server');
  if (pages.length > 0) falseSamples += 1;
  for (const a of pages) {
    const key = `${a.kind} ${a.director} ${a.realServer ?? a.service}`;
    paged.set(key, (paged.get(key) ?? 0) + 1);
  }
  for (const [director, ipvs] of Object.entries(state.ipvs))
    if (ipvs) reads.set(director, (reads.get(director) ?? new Set()).add(ipvs.readAt));
}
const sshStarted = Date.now();
const pressure = (await ssh('director1', 'cat /proc/pressure/cpu')).split('\n')[0];
const roundTripMs = Date.now() - sshStarted;
await fleet.stop();
const result = {
  label,
  samples: SAMPLES,
  samplesWithAFalsePage: falseSamples,
  falsePagesBySample: Object.fromEntries([...paged].sort((a, b) => b[1] - a[1])),
  ipvsReadsPerDirectorPerMinute: Object.fromEntries(
    [...reads].map(([d, s]) => [d, Math.round((s.size / SAMPLES) * 60 * 10) / 10]),
  ),
  guestCpuPressureAtEnd: pressure,
  sshRoundTripAtEndMs: roundTripMs,
};
console.log(JSON.stringify(result));
process.exit(0);
