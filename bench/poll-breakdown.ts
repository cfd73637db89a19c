/**
 * Where a poll's CPU goes on the polled host, section by section (the lab must be up: `npm run lab:up`). For each
 * host, its poll's sections as the poller last ran them: each section alone, `rounds` calls in one bash as the console
 * runs a poll (the function defined once, called inline), less an empty poll run the same way (the framing every poll
 * pays, reported apart); then the whole poll the same way. CPU is the shell's and its children's, by /usr/bin/time on
 * the host. Run: `npm run bench:poll-breakdown` (BENCH_HOSTS, BENCH_ROUNDS). Results: bench/results/poll-breakdown.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Section } from '../collectors/section.js';
import { planHost } from '../src/poller/host-plan.js';
import { createTransport } from '../src/transport/create-transport.js';
import { sectionPoll } from '../src/transport/section-script.js';
import type { Transport } from '../src/transport/transport.js';
import { hostPoll, labConfig, labMachine, shellCpuMs } from './poll-shell.js';

const root = resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);

/** CPU ms per call of a poll of `sections`, `rounds` calls in one bash (cached: sections that may say UNCHANGED). */
async function perCall(t: Transport, sections: readonly Section[], cached: ReadonlySet<string>): Promise<number> {
  const poll = sectionPoll(sections, { cached });
  const calls = Array.from({ length: ROUNDS }, (_, i) => `{\n${poll.call(`n${i}`)}\n} </dev/null`).join('\n');
  return (await shellCpuMs(t, ['bash', '--norc', '--noprofile'], `${poll.definition}\n${calls}\n`)) / ROUNDS;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function main() {
  const { resolved, store } = await labConfig(root);
  const hosts = process.env.BENCH_HOSTS?.split(',') ?? [...resolved.hosts.keys()];
  const results: Record<string, unknown> = {};
  for (const host of hosts) {
    const transport = createTransport(resolved, host);
    const plan = planHost(resolved.config, host);
    try {
      const poll = hostPoll(transport, host, plan, store);
      for (let i = 0; i < 3; i++) await poll(); // connect, learn signal numbers, keep what can be kept
      // Every section the plan runs, read-now-and-then ones included (each part's first sections() call is due).
      const fresh = planHost(resolved.config, host);
      const sections = plan.parts.flatMap((p) => p.sections());
      const all = new Map<string, Section>(fresh.parts.flatMap((p) => p.sections()).map((s) => [s.id, s]));
      for (const s of sections) all.set(s.id, s);
      const cached = new Set([...all.values()].filter((s) => 'argv' in s && s.unlessUnchanged).map((s) => s.id));
      const empty = await perCall(transport, [], cached);
      const each: Record<string, number> = {};
      for (const s of all.values()) each[s.id] = round1((await perCall(transport, [s], cached)) - empty);
      const whole = await perCall(transport, [...all.values()], cached);
      results[host] = {
        sections: all.size,
        emptyPollCpuMs: round1(empty),
        wholePollCpuMs: round1(whole),
        sectionCpuMs: Object.fromEntries(Object.entries(each).sort((a, b) => b[1] - a[1])),
      };
    } finally {
      await transport.close();
    }
    process.stderr.write(`${host}: ${JSON.stringify(results[host])}\n`);
  }
  const out = {
    date: new Date().toISOString(),
    machine: labMachine(root),
    rounds: ROUNDS,
    note: 'Each section alone, less an empty poll; a section read only now and then (modules, clock, rsync dry run, keepalived data dump) is counted as if read every poll.',
    hosts: results,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/poll-breakdown.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
