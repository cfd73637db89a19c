/**
 * The one-pass ipvsadm parser against the floor: a 10,000-real-server table (`ipvsadm -L -n --exact` plus
 * `--stats --exact`, grown from a lab capture) parsed many times, side by side in the same run with a pass that only
 * splits the same text into tokens. `parse` is what a poll runs (interpretIpvs): both reads walked in step, counters
 * put on the entries as they are built. `parseByKey` is the way it takes when the reads are out of step: each parsed
 * on its own, then merged by key; `parseNoMerge` is those two parses alone.
 * Run: `npm run build && node --expose-gc dist/bench/parse-ipvs.js`. Writes bench/results/parse.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import {
  parseIpvsList,
  parseIpvsListAndStats,
  parseIpvsListAndStatsByKey,
  parseIpvsStats,
} from '../collectors/ipvs-list.js';
import { scaleIpvsCapture } from './scale-table.js';

const root = resolve(import.meta.dirname, '../..');
const SERVICES = Number(process.env.BENCH_SERVICES ?? 500);
const REAL_SERVERS = Number(process.env.BENCH_REAL_SERVERS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const WARMUP = 50;

/** The floor: every line found, every whitespace-separated token cut out as a string; nothing interpreted. */
function tokenize(text: string): number {
  let count = 0;
  const tokens: string[] = [];
  for (let start = 0; start < text.length;) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    tokens.length = 0;
    for (let i = start; i < nl;) {
      while (i < nl && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      const t = i;
      while (i < nl && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
      if (i > t) tokens.push(text.slice(t, i));
    }
    count += tokens.length;
    start = nl + 1;
  }
  return count;
}

/** The common way to split text into tokens: split into lines, then each line on whitespace. */
function splitTokens(text: string): number {
  let count = 0;
  for (const line of text.split('\n')) count += line.split(/\s+/).length;
  return count;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 1000) / 1000;
  return { runs: s.length, medianMs: pick(0.5), p90Ms: pick(0.9), minMs: pick(0), maxMs: pick(1) };
}

function main() {
  const fixture = (f: string) => readFileSync(resolve(root, 'test/fixtures/healthy/nat-director', f), 'utf8');
  const big = scaleIpvsCapture(fixture('ipvsadm-Ln.txt'), fixture('ipvsadm-Ln-stats.txt'), SERVICES, REAL_SERVERS);
  const parsed = parseIpvsListAndStats(big.list, big.stats);
  if (!parsed.ok) throw new Error('the scaled table did not parse');
  if (!isDeepStrictEqual(parsed, parseIpvsListAndStatsByKey(big.list, big.stats)))
    throw new Error('the reads in step and the merge by key disagree on the scaled table');
  const realServers = parsed.value.services.reduce((n, s) => n + s.realServers.length, 0);

  const gc = (globalThis as { gc?: () => void }).gc;
  const passes = {
    parse: () => parseIpvsListAndStats(big.list, big.stats),
    parseByKey: () => parseIpvsListAndStatsByKey(big.list, big.stats),
    parseNoMerge: () => {
      parseIpvsList(big.list);
      parseIpvsStats(big.stats);
    },
    tokenize: () => tokenize(big.list) + tokenize(big.stats),
    splitTokens: () => splitTokens(big.list) + splitTokens(big.stats),
  };
  const samples: Record<keyof typeof passes, number[]> = {
    parse: [],
    parseByKey: [],
    parseNoMerge: [],
    tokenize: [],
    splitTokens: [],
  };
  for (let run = 0; run < WARMUP + RUNS; run++) {
    // Interleaved, so both passes see the same machine state.
    for (const name of Object.keys(passes) as (keyof typeof passes)[]) {
      if (run % 10 === 0) gc?.();
      const t = performance.now();
      passes[name]();
      const ms = performance.now() - t;
      if (run >= WARMUP) samples[name].push(ms);
    }
  }
  const results = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summary(v)])) as Record<
    keyof typeof passes,
    ReturnType<typeof summary>
  >;
  const result = {
    date: new Date().toISOString(),
    machine: {
      nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      gcExposed: Boolean(gc),
      /** Other work on the machine while this ran: medians on a loaded machine are far above the minimums. */
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    },
    table: {
      services: SERVICES,
      realServers,
      listBytes: big.list.length,
      statsBytes: big.stats.length,
    },
    passes: results,
    targets: {
      parseMedianMs: { target: 15, measured: results.parse.medianMs, met: results.parse.medianMs <= 15 },
      parseOverTokenize: {
        target: 1.5,
        measured: Math.round((results.parse.medianMs / results.tokenize.medianMs) * 100) / 100,
        met: results.parse.medianMs <= 1.5 * results.tokenize.medianMs,
      },
      parseOverSplitTokens: Math.round((results.parse.medianMs / results.splitTokens.medianMs) * 100) / 100,
    },
  };
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'parse.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main();
