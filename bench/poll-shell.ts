/**
 * Running a host's poll in a bench as the poller runs it: its plan's sections, the outputs it may keep, one call of
 * the poll function in the host's long-lived shell. And the CPU a script costs in a fresh shell of the host's own.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { SectionOutput } from '../collectors/section.js';
import { loadConfig } from '../src/config/load-config.js';
import { clusterInfos, type HostPlan } from '../src/poller/host-plan.js';
import { createLvsStore, type LvsStore } from '../src/store/lvs-store.js';
import { keptSections, sectionPoll, SectionStream } from '../src/transport/section-script.js';
import type { Transport } from '../src/transport/transport.js';

export const BENCH_TIMEOUT = { timeoutMs: 30_000 };

/**
 * One poll of `plan` exactly as the poller runs it (the parts' sections now, the outputs kept from earlier polls,
 * inline in the poll shell), applied to the store so that the next poll's sections follow from it.
 */
export function hostPoll(transport: Transport, host: string, plan: HostPlan, store: LvsStore) {
  const kept = new Map<string, SectionOutput>();
  return async (): Promise<void> => {
    const pending = plan.parts.map((part) => [part, part.sections()] as const);
    const sections = pending.flatMap(([, s]) => s);
    const keep = keptSections(sections, kept);
    const poll = sectionPoll(sections, { cached: new Set(kept.keys()) });
    const nonce = randomBytes(6).toString('hex');
    const r = await transport.execShell!(poll.call(nonce), { ...BENCH_TIMEOUT, inline: true, define: poll });
    const stream = new SectionStream(nonce, undefined, keep);
    stream.push(r.stdout);
    if (stream.sections.size !== sections.length) throw new Error(`${host}: ${stream.sections.size} sections`);
    for (const [part] of pending) part.apply(stream.sections, store.getState(), Date.now());
  };
}

/** User + system CPU ms of one shell fed `script` on stdin, its children included, measured by /usr/bin/time. */
export async function shellCpuMs(t: Transport, shell: readonly string[], script: string): Promise<number> {
  const r = await t.exec(['/usr/bin/time', '-f', '@@cpu %U %S', ...shell], { timeoutMs: 300_000, stdin: script });
  const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`no CPU time from ${shell[0]}: ${r.stderr.slice(-200)}`);
  return (Number(m[1]) + Number(m[2])) * 1000;
}

/** The lab's config, and a store for its polls to land in (read only: a bench changes nothing). */
export async function labConfig(root: string) {
  const resolved = await loadConfig(resolve(root, '.lab/lvstop.json'));
  const store = createLvsStore({
    clusters: clusterInfos(resolved.config),
    hosts: [...resolved.hosts.keys()],
    pollIntervalMs: resolved.config.pollIntervalMs,
    readOnly: true,
  });
  return { resolved, store };
}

/** The machine a lab bench ran on: its CPUs, node, the lab's tier (namespaces or a guest) and its load. */
export function labMachine(root: string) {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    lab: readFileSync(resolve(root, '.lab/tier'), 'utf8').trim(),
    load: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}
