/**
 * The long fuzz run: at least 100,000 inputs per parser (mutated captures, random text, hostile shapes), each timed.
 * Counts per parser: inputs, throws, invalid values accepted, slowest input, inputs over 50 ms (and how many of those
 * were over 50 ms again when re-run at once, to tell a slow parser from a pause of the machine). Written to
 * bench/results/fuzz.json after every parser. Parsers are shared out over worker threads (FUZZ_WORKERS, default one
 * per CPU). Run: `npm run fuzz:long` (FUZZ_INPUTS, FUZZ_TARGETS, FUZZ_SEED, FUZZ_WORKERS to vary).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { runOne, TARGETS } from './fuzz-targets.js';

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const ONLY = process.env.FUZZ_TARGETS ? new RegExp(process.env.FUZZ_TARGETS) : undefined;
const WORKERS = Number(process.env.FUZZ_WORKERS ?? availableParallelism());
const CHUNK = 500;
const SLOW_MS = 50;
const root = resolve(import.meta.dirname, '../..');
const gc = (globalThis as { gc?: () => void }).gc;

interface Counts {
  inputs: number;
  throws: number;
  invalidAccepts: number;
  maxMs: number;
  over50ms: number;
  over50msAgain: number;
  totalMs: number;
  largestInputChars: number;
  examples: string[];
}

const show = (input: unknown) => {
  const s =
    typeof input === 'string' ? input : JSON.stringify(input, (_k, x: unknown) => (x instanceof Map ? [...x] : x));
  return `${JSON.stringify((s ?? '').slice(0, 120))} (${(s ?? '').length} chars)`;
};

function fuzzTarget(index: number): Counts {
  const t = TARGETS[index]!;
  const c: Counts = {
    inputs: 0,
    throws: 0,
    invalidAccepts: 0,
    maxMs: 0,
    over50ms: 0,
    over50msAgain: 0,
    totalMs: 0,
    largestInputChars: 0,
    examples: [],
  };
  for (let chunk = 0; c.inputs < INPUTS; chunk++) {
    gc?.();
    const inputs = fc.sample(t.inputs, {
      numRuns: Math.min(CHUNK, INPUTS - c.inputs),
      seed: SEED + index * 1_000_003 + chunk,
    });
    for (const input of inputs) {
      const r = runOne(t, input);
      c.inputs++;
      c.totalMs += r.ms;
      if (typeof input === 'string') c.largestInputChars = Math.max(c.largestInputChars, input.length);
      if (r.ms > c.maxMs) c.maxMs = r.ms;
      if (r.ms > SLOW_MS) {
        c.over50ms++;
        if (runOne(t, input).ms > SLOW_MS) {
          c.over50msAgain++;
          if (c.examples.length < 5) c.examples.push(`slow ${r.ms.toFixed(1)} ms: ${show(input)}`);
        }
      }
      if (r.threw !== undefined) {
        c.throws++;
        if (c.examples.length < 5) c.examples.push(`threw ${String(r.threw)}: ${show(input)}`);
      }
      if (r.invalid !== undefined) {
        c.invalidAccepts++;
        if (c.examples.length < 5) c.examples.push(`accepted ${r.invalid}: ${show(input)}`);
      }
    }
  }
  return c;
}

type Result = Omit<Counts, 'totalMs'> & { meanMs: number };
interface Earlier {
  seed: number;
  inputsPerParser: number;
  parsers: Record<string, Result>;
}

/** A worker: fuzz every parser whose index falls to it, posting each parser's counts as it finishes. */
function work(worker: number): void {
  TARGETS.forEach((t, i) => {
    if (i % WORKERS !== worker || (ONLY && !ONLY.test(t.name))) return;
    const { totalMs, ...c } = fuzzTarget(i);
    const r: Result = {
      ...c,
      maxMs: Math.round(c.maxMs * 100) / 100,
      meanMs: Math.round((totalMs / c.inputs) * 1000) / 1000,
    };
    parentPort!.postMessage({ name: t.name, index: i, result: r });
  });
}

function main() {
  const machine = {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    gcExposed: Boolean(gc),
    workers: WORKERS,
  };
  const started = Date.now();
  const file = resolve(root, 'bench/results/fuzz.json');
  // A run of some parsers only (FUZZ_TARGETS) replaces their rows in the last full run of the same size and seed.
  const earlier = ONLY && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Earlier>) : {};
  const parsers: Record<string, Result> =
    earlier.seed === SEED && earlier.inputsPerParser === INPUTS ? { ...earlier.parsers } : {};
  const order = new Map(TARGETS.map((t, i) => [t.name, i]));
  const write = () => {
    const dir = resolve(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const sorted = Object.fromEntries(
      Object.entries(parsers).sort(([a], [b]) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
    );
    const totals = Object.values(parsers).reduce(
      (a, p) => ({
        parsers: a.parsers + 1,
        inputs: a.inputs + p.inputs,
        throws: a.throws + p.throws,
        invalidAccepts: a.invalidAccepts + p.invalidAccepts,
        over50ms: a.over50ms + p.over50ms,
        over50msAgain: a.over50msAgain + p.over50msAgain,
        maxMs: Math.max(a.maxMs, p.maxMs),
      }),
      { parsers: 0, inputs: 0, throws: 0, invalidAccepts: 0, over50ms: 0, over50msAgain: 0, maxMs: 0 },
    );
    const out = {
      date: new Date().toISOString(),
      machine,
      seed: SEED,
      inputsPerParser: INPUTS,
      slowMs: SLOW_MS,
      seconds: Math.round((Date.now() - started) / 1000),
      totals,
      parsers: sorted,
    };
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  };
  for (let w = 0; w < WORKERS; w++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: { worker: w } });
    worker.on('message', (m: { name: string; result: Result }) => {
      const c = m.result;
      parsers[m.name] = c;
      process.stdout.write(
        `${m.name}: ${c.inputs} inputs, ${c.throws} throws, ${c.invalidAccepts} invalid accepted, max ${c.maxMs.toFixed(1)} ms, ${c.over50ms} over ${SLOW_MS} ms (${c.over50msAgain} again)\n`,
      );
      for (const e of c.examples) process.stdout.write(`  ${e}\n`);
      write();
    });
    worker.on('error', (err) => {
      process.stderr.write(`fuzz worker ${w} failed: ${err.stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
  }
}

if (isMainThread) main();
else work((workerData as { worker: number }).worker);
