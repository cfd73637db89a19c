/**
 * A director's whole poll against `ipvsadm -Ln` over the same open SSH connection, side by side in one run on the
 * lab (which must be up: `npm run lab:up`), plus the processes each host kind's poll starts on the remote host.
 * Results: bench/results/poll-cost.json.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config.js';
import { planHost } from '../src/poller/host-plan.js';
import { createTransport } from '../src/transport/create-transport.js';
import { buildSectionScript, splitSectionOutput } from '../src/transport/section-script.js';

const root = resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const HOSTS = (process.env.BENCH_HOSTS ?? 'nat-director,director1,web1,real2').split(',');

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10;
  return { n: s.length, p50: pick(0.5), p90: pick(0.9), max: pick(1) };
}

/** Processes a script starts, counted by strace on the host itself (forks and clones that made a process). */
function processCount(output: string): number {
  const line = output.split('\n').find((l) => /^\s*\d+\s+processes$/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : NaN;
}

async function main() {
  const resolved = await loadConfig(resolve(root, '.lab/lvstop.json'));
  const results: Record<string, unknown> = {};
  for (const host of HOSTS) {
    const transport = createTransport(resolved, host);
    const plan = planHost(resolved.config, host);
    const poll: number[] = [];
    const ipvsadmShell: number[] = [];
    const ipvsadmExec: number[] = [];
    const isDirector = resolved.config.clusters.some((c) => c.directors.some((d) => d.host === host));
    let processes = NaN;
    try {
      await transport.exec(['true'], { timeoutMs: 30_000 }); // connect
      for (let i = 0; i < ROUNDS; i++) {
        const nonce = randomBytes(6).toString('hex');
        const script = buildSectionScript(plan.sections(), nonce);
        let t = performance.now();
        const r = await transport.execShell!(script, { timeoutMs: 30_000 });
        poll.push(performance.now() - t);
        if (splitSectionOutput(r.stdout, nonce).size === 0) throw new Error(`${host}: poll produced no sections`);
        if (i === 0) {
          // Count with strace's own process accounting: every fork/clone/vfork that made a child.
          const counted = await transport.exec(
            [
              'sh',
              '-c',
              `f=$(mktemp); strace -f -qq -e trace=fork,vfork,clone,clone3 -o "$f" sh -c "$1" >/dev/null 2>&1; echo "$(grep -cE '= [1-9][0-9]*$' "$f") processes"; rm -f "$f"`,
              'count',
              script,
            ],
            { timeoutMs: 60_000 },
          );
          processes = processCount(counted.stdout);
        }
        if (isDirector) {
          t = performance.now();
          await transport.execShell!('ipvsadm -Ln', { timeoutMs: 30_000 });
          ipvsadmShell.push(performance.now() - t);
          t = performance.now();
          await transport.exec(['ipvsadm', '-Ln'], { timeoutMs: 30_000 });
          ipvsadmExec.push(performance.now() - t);
        }
        await new Promise((res) => setTimeout(res, 300));
      }
    } finally {
      await transport.close();
    }
    const pollMs = summary(poll);
    results[host] = {
      sections: plan.sections().length,
      processesPerPoll: processes,
      pollMs,
      ...(isDirector
        ? {
            ipvsadmLnSameShellMs: summary(ipvsadmShell),
            ipvsadmLnNewChannelMs: summary(ipvsadmExec),
            pollOverIpvsadmSameShell: Math.round((pollMs.p50 / summary(ipvsadmShell).p50) * 100) / 100,
          }
        : {}),
    };
    process.stderr.write(`${host}: ${JSON.stringify(results[host])}\n`);
  }
  const out = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      lab: execFileSync('cat', [resolve(root, '.lab/tier')], { encoding: 'utf8' }).trim(),
      load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
    },
    rounds: ROUNDS,
    hosts: results,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/poll-cost.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
