/**
 * What real-server probes add to a director's poll, on the lab (which must be up: `npm run lab:up`): the director's
 * CPU time (user + system of the shell and everything it started, from bash's `times`) and wall time for its whole
 * poll, and for the same poll followed by one probe round of 64 real servers (the lab's two NAT web servers, 32
 * times each, HTTP GET as the lab's NAT cluster is probed), alternating in one run over one SSH connection. Then
 * the same with rounds sized as the console sizes them (`probeRoundSize`: within `costShare` of the poll's CPU, the
 * table probed in turns), from the costs measured in the first part.
 * Results: bench/results/probe-cost.json. `BENCH_ROUNDS` (default 12) pairs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RS_PROBE_SCRIPT, rsProbeArgs, type ProbeTarget } from '../collectors/rs-probe.js';
import { loadConfig } from '../src/config/load-config.js';
import { planHost } from '../src/poller/host-plan.js';
import { quoteArg } from '../src/transport/command-line.js';
import { createTransport } from '../src/transport/create-transport.js';
import { buildSectionScript } from '../src/transport/section-script.js';
import { probeRoundSize } from '../src/model/probe-plan.js';
import { DEFAULT_HEALTH_PROBES } from '../src/store/store-types.js';
import { labMachine } from './poll-shell.js';

const root = resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const HOST = 'nat-director';
const TARGETS: ProbeTarget[] = Array.from({ length: 64 }, (_, i) => ({
  kind: 'http',
  address: i % 2 ? '192.168.60.40' : '192.168.60.99',
  port: 80,
  path: '/',
}));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU seconds of the shell and its children from bash's `times` (two lines: shell, then children). */
function cpuSeconds(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n').slice(-2);
  let total = 0;
  for (const l of lines) for (const m of l.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

/** The budgeted rounds: their size, what each server's turn comes to, and the poll with a round over the poll alone. */
function budgetedResult(b: { size: number; poll: number[]; probes: number[] }, targets: number) {
  const poll = median(b.poll);
  const round = median(b.probes);
  return {
    probesPerRound: b.size,
    eachServerEveryRounds: Math.ceil(targets / b.size),
    pollCpuMs: Math.round(poll),
    roundCpuMs: Math.round(round),
    pollWithProbesOverPoll: Math.round(((poll + round) / poll) * 100) / 100,
  };
}

async function main() {
  const resolved = await loadConfig(resolve(root, '.lab/lvstop.json'));
  const transport = createTransport(resolved, HOST);
  const plan = planHost(resolved.config, HOST);
  if (!transport.execShell || !transport.execBash) throw new Error(`${HOST}: the transport keeps no long-lived shells`);
  const cases = [
    { name: 'http64', targets: TARGETS },
    { name: 'tcp64', targets: TARGETS.map((t) => ({ ...t, kind: 'tcp' as const })) },
    { name: 'http16', targets: TARGETS.slice(0, 16) },
  ];
  const poll: number[] = [];
  const probes: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  const wall: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  const budgeted: Record<string, { size: number; poll: number[]; probes: number[] }> = {};
  let probeProcesses = NaN;
  const execShell = transport.execShell.bind(transport);
  const execBash = transport.execBash.bind(transport);
  const pollCpuMs = async (nonce: string) => {
    const script = buildSectionScript(plan.sections(), nonce);
    const r = await execShell(`{ ${script}\n} >/dev/null 2>&1\ntimes`, { timeoutMs: 60_000 });
    return cpuSeconds(r.stdout) * 1000;
  };
  const roundCpuMs = async (targets: readonly ProbeTarget[]) => {
    const probeScript = `set -- ${rsProbeArgs(targets, 1000).map(quoteArg).join(' ')}\n${RS_PROBE_SCRIPT}`;
    const p = await execBash(`{ ${probeScript}\n} >/dev/null 2>&1\ntimes`, { timeoutMs: 60_000 });
    return cpuSeconds(p.stdout) * 1000;
  };
  try {
    await transport.exec(['true'], { timeoutMs: 30_000 });
    for (let i = 0; i < ROUNDS; i++) {
      // The poll as the poller runs it: a subshell of the long-lived sh; `times` gives that subshell's CPU and its
      // children's (ipvsadm...). A probe round likewise in the long-lived bash.
      poll.push(await pollCpuMs(`bench${i}`));
      for (const c of cases) {
        const t = performance.now();
        probes[c.name]!.push(await roundCpuMs(c.targets));
        wall[c.name]!.push(performance.now() - t);
      }
    }
    // Then as the console sizes its rounds: as many probes as keep a round within `costShare` of the poll's CPU,
    // from the costs just measured (the prober measures them the same way, by `times`), polls and rounds alternating.
    for (const c of cases) {
      const perProbe = median(probes[c.name]!) / c.targets.length;
      const size = probeRoundSize(c.targets.length, DEFAULT_HEALTH_PROBES, median(poll), perProbe);
      budgeted[c.name] = { size, poll: [], probes: [] };
      for (let i = 0; i < ROUNDS; i++) {
        budgeted[c.name]!.poll.push(await pollCpuMs(`budget${i}`));
        budgeted[c.name]!.probes.push(await roundCpuMs(c.targets.slice(0, size)));
      }
    }
    // Processes a round starts: the subshell the session forks for it, counted by strace around a bash that runs
    // the same script the same way (`( … )`).
    const probeScript = `set -- ${rsProbeArgs(TARGETS, 1000).map(quoteArg).join(' ')}\n${RS_PROBE_SCRIPT}`;
    const counted = await transport.exec(
      [
        'sh',
        '-c',
        `f=$(mktemp); strace -f -qq -e trace=fork,vfork,clone,clone3 -o "$f" bash -c "( $1 ) >/dev/null 2>&1"; echo "$(grep -cE '= [1-9][0-9]*$' "$f") processes"; rm -f "$f"`,
        'count',
        probeScript,
      ],
      { timeoutMs: 60_000 },
    );
    probeProcesses = Number(/(\d+) processes/.exec(counted.stdout)?.[1]);
  } finally {
    await transport.close();
  }
  const pollCpu = median(poll);
  const byCase = Object.fromEntries(
    cases.map((c) => {
      const cpu = median(probes[c.name]!);
      return [
        c.name,
        {
          targets: c.targets.length,
          probeCpuMs: Math.round(cpu),
          perProbeCpuMs: Math.round((cpu / c.targets.length) * 100) / 100,
          pollWithProbesOverPoll: Math.round(((pollCpu + cpu) / pollCpu) * 100) / 100,
          wallMs: Math.round(median(wall[c.name]!)),
          asTheConsoleProbes: budgetedResult(budgeted[c.name]!, c.targets.length),
        },
      ];
    }),
  );
  const out = {
    date: new Date().toISOString(),
    machine: labMachine(root),
    host: HOST,
    rounds: ROUNDS,
    pollCpuMs: Math.round(pollCpu),
    processesPerProbeRound: probeProcesses,
    cases: byCase,
    samples: { poll, probes, budgeted },
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/probe-cost.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ ...out, samples: undefined }, null, 2)}\n`);
}

await main();
