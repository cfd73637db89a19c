/**
 * Is the console calm on the lab? The console's poller (createFleet, the lab config, its 2 s interval) runs for a
 * start-up allowance, then the store is sampled once a second: a sample is calm when every host is `up` (no part
 * late or failed). Each late or failed part is counted by host and part, so what keeps a console from calm is named.
 * Needs the lab up and a build: `npm run bench:lab-calm`. Writes bench/results/lab-calm.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/poller/fleet.js';

const root = resolve(import.meta.dirname, '../..');
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 40_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 120);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fleet = createFleet(await loadConfig(resolve(root, '.lab/lvstop.json')), {});
fleet.start();
await sleep(SETTLE_MS);
const late = new Map<string, number>();
let calm = 0;
for (let i = 0; i < SAMPLES; i++) {
  await sleep(1000);
  const hosts = Object.values(fleet.store.getState().hosts);
  if (hosts.every((h) => h.status === 'up')) calm += 1;
  for (const h of hosts)
    for (const [id, p] of Object.entries(h.parts ?? {}))
      if (p.lateSince !== undefined || p.error !== undefined) {
        const key = `${h.name} ${id} ${p.error === undefined ? 'late' : 'failed'}`;
        late.set(key, (late.get(key) ?? 0) + 1);
      }
}
await fleet.stop();
const result = {
  date: new Date().toISOString(),
  machine: { nproc: cpus().length, node: process.version, loadAverage1m: loadavg()[0] },
  settleMs: SETTLE_MS,
  samples: SAMPLES,
  calm,
  calmPercent: Math.round((calm / SAMPLES) * 1000) / 10,
  lateOrFailedSamples: Object.fromEntries([...late].sort((a, b) => b[1] - a[1])),
};
console.log(JSON.stringify(result, null, 1));
writeFileSync(resolve(root, 'bench/results/lab-calm.json'), `${JSON.stringify(result, null, 1)}\n`);
process.exit(0);
