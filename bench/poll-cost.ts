/**
 * What a poll costs the polled host, measured in the host's own long-lived poll shell as the console runs it (the
 * lab must be up: `npm run lab:up`): processes started per poll (strace attached to that shell: every fork or clone
 * that made a process) and CPU time per poll (the shell's and its children's, from /proc), against the floor for a
 * director: `ipvsadm -Ln --exact` plus `--stats --exact` run in the same shell. Also the wall time of a poll.
 * Results: bench/results/poll-cost.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NFS_PROBE_FUNCTION, nfsProbeArgv, parseNfsProbe } from '../collectors/nfs.js';
import { planHost } from '../src/poller/host-plan.js';
import { nfsProbeCall } from '../src/poller/nfs-prober.js';
import { createTransport } from '../src/transport/create-transport.js';
import { sectionPoll } from '../src/transport/section-script.js';
import type { Transport } from '../src/transport/transport.js';
import { BENCH_TIMEOUT as TIMEOUT, hostPoll, labConfig, labMachine, shellCpuMs } from './poll-shell.js';

const root = resolve(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const HOSTS = (process.env.BENCH_HOSTS ?? 'nat-director,director1,web1,real2').split(',');

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10;
  return { n: s.length, p50: pick(0.5), p90: pick(0.9), max: pick(1) };
}

/** CPU of a process and its waited-for children, in ms (utime + stime + cutime + cstime). */
async function cpuMs(t: Transport, pid: number): Promise<number> {
  const r = await t.exec(['sh', '-c', `read -r s </proc/${pid}/stat; echo "$s"; getconf CLK_TCK`], TIMEOUT);
  const [stat, tck] = r.stdout.trim().split('\n');
  const f = stat!.slice(stat!.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / Number(tck);
}

/**
 * Runs `rounds` of `work` with strace attached to a process on the host (the poll shell unless `pid` is given), and
 * says how many processes and how much CPU each round cost there. The commands each made process ran are kept.
 */
async function measured(t: Transport, label: string, rounds: number, work: () => Promise<void>, pid?: number) {
  const shell = pid ?? Number((await t.execShell!('echo $$', TIMEOUT)).stdout.trim());
  const file = `/tmp/lvstop-bench-strace-${label}-${shell}`;
  const trace = 'trace=fork,vfork,clone,clone3,execve';
  const tracer = Number(
    (
      await t.exec(
        ['sh', '-c', `strace -f -qq -e ${trace} -o ${file} -p ${shell} </dev/null >/dev/null 2>&1 & echo $!`],
        TIMEOUT,
      )
    ).stdout.trim(),
  );
  await new Promise((r) => setTimeout(r, 1500)); // attached
  const before = await cpuMs(t, shell);
  const wall: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const at = performance.now();
    await work();
    wall.push(performance.now() - at);
    await new Promise((r) => setTimeout(r, 200));
  }
  const after = await cpuMs(t, shell);
  const counted = await t.exec(
    [
      'sh',
      '-c',
      `kill ${tracer}; sleep 0.5; grep -cE '(clone|fork).*= [1-9][0-9]*$' ${file}; ` +
        `sed -n 's/.*execve("\\([^"]*\\)".*= 0$/\\1/p' ${file} | sort | uniq -c; rm -f ${file}`,
    ],
    TIMEOUT,
  );
  const [count, ...programs] = counted.stdout.trim().split('\n');
  return {
    processesPerRound: Math.round((Number(count) / rounds) * 100) / 100,
    programs: Object.fromEntries(
      programs
        .map((l) => l.trim().split(/\s+/))
        .map(([n, path]) => [path, Math.round((Number(n) / rounds) * 100) / 100]),
    ),
    cpuMsPerRound: Math.round(((after - before) / rounds) * 10) / 10,
    wallMs: summary(wall),
  };
}

/**
 * The same poll, `rounds` times, in one shell each way, CPU per poll: as the console runs it (bash, the poll function
 * defined once and called inline, `ip` only when an address source changed), as it ran before (a plain sh, the whole
 * script sent and run in a subshell every poll), and the floor (the two ipvsadm reads, in a plain sh).
 */
async function cpuPerPoll(
  t: Transport,
  sections: Parameters<typeof sectionPoll>[0],
  rounds: number,
  director: boolean,
) {
  const poll = sectionPoll(sections, { cached: new Set(['ip-addr']) });
  const calls = Array.from({ length: rounds }, (_, i) => `{\n${poll.call(`n${i}`)}\n} </dev/null`).join('\n');
  const whole = (i: number) => `(\n${poll.definition}\n${poll.call(`n${i}`)}\n) </dev/null`;
  const before = Array.from({ length: rounds }, (_, i) => whole(i)).join('\n');
  const floor = Array.from({ length: rounds }, () => 'ipvsadm -L -n --exact; ipvsadm -L -n --stats --exact').join('\n');
  const per = (ms: number) => Math.round((ms / rounds) * 10) / 10;
  return {
    bashInline: per(await shellCpuMs(t, ['bash', '--norc', '--noprofile'], `${poll.definition}\n${calls}\n`)),
    shSubshellAsBefore: per(await shellCpuMs(t, ['sh'], `${before}\n`)),
    ...(director ? { floorTwoIpvsadmReads: per(await shellCpuMs(t, ['sh'], `${floor}\n`)) } : {}),
  };
}

/**
 * One NFS mount's probe, `rounds` times, both ways the prober can run it: in the mount's own long-lived bash (what
 * the console does where it keeps shells; strace on that bash) and as an exec of its own, a new SSH session per
 * probe (what it did before, and still does on a transport with no shells; strace on the sshd process that serves
 * this connection, so the session's own processes count too).
 */
async function nfsProbeCost(t: Transport, mountpoint: string, timeoutMs: number, rounds: number) {
  const lane = { ...TIMEOUT, lane: `nfs ${mountpoint}` };
  const probe = async () => {
    const r = await t.execBash!(nfsProbeCall(mountpoint, timeoutMs), {
      ...lane,
      inline: true,
      define: NFS_PROBE_FUNCTION,
    });
    const parsed = parseNfsProbe(r.stdout);
    if (!parsed.ok || parsed.value.exitCode !== 0) throw new Error(`probe of ${mountpoint} failed: ${r.stdout}`);
  };
  await probe();
  const [shell, sshd] = (await t.execBash!('echo "$$ $PPID"', lane)).stdout.trim().split(' ').map(Number);
  const inLane = await measured(t, 'nfs-lane', rounds, probe, shell);
  const execEach = await measured(
    t,
    'nfs-exec',
    rounds,
    async () => {
      const parsed = parseNfsProbe((await t.exec(nfsProbeArgv(mountpoint, timeoutMs), TIMEOUT)).stdout);
      if (!parsed.ok || parsed.value.exitCode !== 0) throw new Error(`exec probe of ${mountpoint} failed`);
    },
    sshd,
  );
  return { mountpoint, inLane, execEach };
}

async function main() {
  const { resolved, store } = await labConfig(root);
  const results: Record<string, unknown> = {};
  for (const host of HOSTS) {
    const transport = createTransport(resolved, host);
    const plan = planHost(resolved.config, host);
    const isDirector = resolved.config.clusters.some((c) => c.directors.some((d) => d.host === host));
    // One poll exactly as the poller runs it: the plan's parts, their sections, the kept outputs, inline.
    const onePoll = hostPoll(transport, host, plan, store);
    try {
      for (let i = 0; i < 3; i++) await onePoll(); // connect, learn signal numbers, keep what can be kept
      const poll = await measured(transport, 'poll', ROUNDS, onePoll);
      const floor = isDirector
        ? await measured(transport, 'floor', ROUNDS, async () => {
            await transport.execShell!('ipvsadm -L -n --exact; ipvsadm -L -n --stats --exact', {
              ...TIMEOUT,
              inline: true,
            });
          })
        : undefined;
      const cpu = await cpuPerPoll(
        transport,
        plan.parts.flatMap((p) => p.sections()),
        ROUNDS,
        isDirector,
      );
      results[host] = {
        sections: plan.sections().length,
        poll,
        cpuMsPerPollInOneShell: cpu,
        ...(floor
          ? {
              floorTwoIpvsadmReads: floor,
              pollCpuOverFloor: Math.round((poll.cpuMsPerRound / Math.max(0.1, floor.cpuMsPerRound)) * 100) / 100,
            }
          : {}),
      };
    } finally {
      await transport.close();
    }
    process.stderr.write(`${host}: ${JSON.stringify(results[host])}\n`);
  }
  const nfsProbe: Record<string, unknown> = {};
  for (const m of resolved.config.clusters.flatMap((c) => c.nfs)) {
    if (!HOSTS.includes(m.host) || nfsProbe[m.host]) continue;
    const transport = createTransport(resolved, m.host);
    try {
      nfsProbe[m.host] = await nfsProbeCost(transport, m.mountpoint, m.probeTimeoutMs, ROUNDS);
    } finally {
      await transport.close();
    }
    process.stderr.write(`nfs probe ${m.host}: ${JSON.stringify(nfsProbe[m.host])}\n`);
  }
  const out = {
    date: new Date().toISOString(),
    machine: labMachine(root),
    rounds: ROUNDS,
    hosts: results,
    nfsProbe,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/poll-cost.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
