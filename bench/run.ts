import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { interpretIpvs } from '../collectors/ipvs-collector.js';
import { parseIpvsListAndStats } from '../collectors/ipvs-list.js';
import { App } from '../components/App.js';
import { serviceRows } from '../src/render/service-rows.js';
import { StoreContext } from '../components/store-context.js';
import { filterRows, sortRows } from '../src/render/table-model.js';
import { parseConfigText } from '../src/config/load-config.js';
import { clusterInfos } from '../src/poller/host-plan.js';
import { createLvsStore } from '../src/store/lvs-store.js';
import { advanceCounters, scaleIpvsCapture } from './scale-table.js';

const root = resolve(import.meta.dirname, '../..');
const FIXTURE_LIST = process.env.BENCH_LIST ?? resolve(root, 'test/fixtures/healthy/nat-director/ipvsadm-Ln.txt');
const FIXTURE_STATS =
  process.env.BENCH_STATS ?? resolve(root, 'test/fixtures/healthy/nat-director/ipvsadm-Ln-stats.txt');
const SERVICES = Number(process.env.BENCH_SERVICES ?? 500);
const REAL_SERVERS = Number(process.env.BENCH_REAL_SERVERS ?? 8);
const POLLS = Number(process.env.BENCH_POLLS ?? 60);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
  return { n: s.length, p50: pick(0.5), p95: pick(0.95), max: pick(1) };
}

function time(fn: () => void, runs: number): ReturnType<typeof stats> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return stats(out);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
};

async function main() {
  const big = scaleIpvsCapture(
    readFileSync(FIXTURE_LIST, 'utf8'),
    readFileSync(FIXTURE_STATS, 'utf8'),
    SERVICES,
    REAL_SERVERS,
  );
  const rows = SERVICES * (REAL_SERVERS + 1);
  const parse = time(() => {
    if (!parseIpvsListAndStats(big.list, big.stats).ok) throw new Error('bench table did not parse');
  }, 30);

  const config = parseConfigText(
    JSON.stringify({
      pollIntervalMs: 1000,
      hosts: { d1: {} },
      clusters: [{ name: 'big', mode: 'nat', directors: [{ host: 'd1' }] }],
    }),
    'bench.json',
  );
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: ['d1'],
    pollIntervalMs: 1000,
    readOnly: false,
  });
  const section = (id: string, stdout: string) => [id, { id, stdout, stderr: '', exitCode: 0 }] as const;
  const readings = Array.from({ length: 4 }, (_, i) =>
    interpretIpvs(new Map([section('ipvs-list', big.list), section('ipvs-stats', advanceCounters(big.stats, i * 7))])),
  );
  const heapBefore = heapMb();
  const update: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    const t = performance.now();
    store.getState().setIpvs('d1', readings[i % readings.length]!, 1_000_000 + i * 1000);
    update.push(performance.now() - t);
  }
  const heapAfter = heapMb();

  const now = 1_000_000 + POLLS * 1000;
  const state = store.getState();
  const rowBuild = time(() => sortRows(filterRows(serviceRows(state, 'big', now).rows, '192\\.16[89]'), 5, true), 20);

  // Frames: the real App rendering the big table, one store update per frame.
  let frameNow = now;
  const r = render(
    createElement(
      StoreContext.Provider,
      { value: store },
      createElement(App, { onQuit: () => {}, onRefresh: () => {}, onTogglePause: () => {}, now: () => frameNow }),
    ),
  );
  const frames: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = r.frames.length;
    frameNow += 1000;
    const t = performance.now();
    store.getState().setIpvs('d1', readings[i % readings.length]!, frameNow);
    while (r.frames.length === before) await new Promise((res) => setImmediate(res));
    frames.push(performance.now() - t);
  }
  r.unmount();

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    table: {
      services: SERVICES,
      realServersPerService: REAL_SERVERS,
      rows,
      listBytes: big.list.length,
      statsBytes: big.stats.length,
    },
    parseListAndStatsMs: parse,
    storeUpdateMs: stats(update),
    heapMb: {
      beforeUpdates: heapBefore,
      afterUpdates: heapAfter,
      growth: Math.round((heapAfter - heapBefore) * 10) / 10,
      polls: POLLS,
      gcExposed: Boolean(gc),
    },
    rowsFilterSortMs: rowBuild,
    renderFrameMs: stats(frames),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
