/**
 * The fleet benchmark: every case in its own process (so CPU, RSS and the profile are the console's alone), results
 * to bench/results/fleet.json with the machine noted. `npm run bench:fleet` builds first.
 *
 *   BENCH_FLEET_CASES=headless-300-2s,keys   only these cases (names below)
 *   BENCH_FLEET_SCALE=0.5                   every steady window and start-up wait scaled (quick look)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO } from './fleet-config.js';
import { summariseProfile } from './profile-summary.js';

const SCALE = Number(process.env.BENCH_FLEET_SCALE ?? 1);
const s = (seconds: number) => String(Math.max(5, Math.round(seconds * SCALE)));

interface BenchCase {
  readonly name: string;
  readonly script: 'run-fleet.js' | 'run-pty.js';
  readonly args: readonly string[];
  readonly profile?: boolean;
  /** Ink must draw every frame: the child runs with CI unset. */
  readonly tty?: boolean;
}

const fleetArgs = (hosts: number, interval: number, duration: number, maxWait: number) => [
  '--hosts',
  String(hosts),
  '--interval',
  String(interval),
  '--duration',
  s(duration),
  '--max-wait',
  s(maxWait),
];

const CASES: readonly BenchCase[] = [
  { name: 'headless-300-2s', script: 'run-fleet.js', args: fleetArgs(300, 2000, 60, 90) },
  { name: 'headless-300-10s', script: 'run-fleet.js', args: fleetArgs(300, 10_000, 60, 90) },
  { name: 'headless-100-2s', script: 'run-fleet.js', args: fleetArgs(100, 2000, 30, 60) },
  { name: 'headless-10-2s', script: 'run-fleet.js', args: fleetArgs(10, 2000, 30, 30) },
  { name: 'render-300-2s', script: 'run-fleet.js', args: [...fleetArgs(300, 2000, 60, 90), '--render'], tty: true },
  { name: 'render-100-2s', script: 'run-fleet.js', args: [...fleetArgs(100, 2000, 30, 60), '--render'], tty: true },
  { name: 'startup-10', script: 'run-pty.js', args: ['--case', 'startup'] },
  { name: 'keys', script: 'run-pty.js', args: ['--case', 'keys', '--keys', '300'] },
  { name: 'profile-300-2s', script: 'run-fleet.js', args: fleetArgs(300, 2000, 30, 30), profile: true },
  {
    name: 'profile-render-300-2s',
    script: 'run-fleet.js',
    args: [...fleetArgs(300, 2000, 30, 30), '--render'],
    profile: true,
    tty: true,
  },
];

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

function runCase(c: BenchCase, work: string): Record<string, unknown> {
  const out = join(work, `${c.name}.json`);
  const profDir = join(work, `${c.name}-prof`);
  const env = { ...process.env };
  delete env.SSH_AUTH_SOCK;
  // As the console runs (src/main.ts): React's production build.
  env.NODE_ENV = 'production';
  if (c.tty) delete env.CI;
  const loadBefore = loadavg();
  const started = Date.now();
  execFileSync(
    process.execPath,
    [
      ...(c.profile ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
      resolve(REPO, 'dist/bench/fleet', c.script),
      ...c.args,
      '--out',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 15 * 60_000 },
  );
  const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  const extra: Record<string, unknown> = {
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    runSeconds: Math.round((Date.now() - started) / 1000),
  };
  if (c.profile) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const summary = summariseProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), 25);
      const name = `bench/results/fleet-${c.name}.json`;
      const keep = resolve(REPO, name);
      writeFileSync(keep, `${JSON.stringify(summary, null, 2)}\n`);
      extra.profile = {
        ...summary,
        topFiles: summary.topFiles.slice(0, 15),
        file: 'bench/results/fleet-profile-top.json',
      };
    }
  }
  return { ...result, ...extra };
}

async function main() {
  const only = process.env.BENCH_FLEET_CASES?.split(',').filter(Boolean);
  const cases = only ? CASES.filter((c) => only.includes(c.name)) : CASES;
  const work = mkdtempSync(join(tmpdir(), 'lvstop-fleet-bench-'));
  mkdirSync(resolve(REPO, 'bench/results'), { recursive: true });
  const machine = {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus()[0]?.model,
    node: process.version,
    loadavgStart: loadavg(),
    loadavgEnd: '',
    note:
      'Shared machine: other work (a QEMU lab guest, builds, tests) ran at the same time, and the simulated hosts ' +
      '(private sshd, its shells and cats) run on these same cores. CPU per host poll and RSS are the console ' +
      "process's own (process.cpuUsage); staleness, start-up and key latency also carry the machine's load.",
  };
  const results: Record<string, unknown> = {};
  try {
    for (const c of cases) {
      process.stderr.write(`fleet bench: ${c.name} (${c.args.join(' ')})\n`);
      try {
        results[c.name] = runCase(c, work);
      } catch (err) {
        results[c.name] = { error: (err as Error).message.split('\n')[0] };
      }
      process.stderr.write(`${JSON.stringify(results[c.name])}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  machine.loadavgEnd = loadavg();
  const file = resolve(REPO, 'bench/results/fleet.json');
  const previous = (() => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as { cases?: Record<string, unknown> };
    } catch {
      return {};
    }
  })();
  // A partial run (BENCH_FLEET_CASES) keeps the other cases of the last full run.
  const all = { ...(only ? (previous.cases ?? {}) : {}), ...results };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, cases: all }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ machine, cases: results }, null, 2)}\n`);
}

await main();
