import { createHash } from 'node:crypto';
import {
  RS_PROBE_SCRIPT,
  rsProbeArgs,
  parseRsProbe,
  probeRoundCpuMs,
  probeTargetKey,
  roundKillMs,
  rsProbeArgv,
  type ProbeOutcome,
  type ProbeTarget,
} from '../../collectors/rs-probe.js';
import { debugLog } from '../debug-log.js';
import { directorProbePlans, probeRoundSize, probeSettings } from '../model/probe-plan.js';
import { smoothed } from './poll-parts.js';
import type { LvsStore } from '../store/lvs-store.js';
import type { HealthProbes } from '../store/store-types.js';
import type { Transport } from '../transport/transport.js';
import { quoteArg } from '../transport/command-line.js';
import { GridTimer } from './poll-grid.js';
import { TransportFailure } from '../transport/transport-error.js';

export interface RsProberOptions {
  readonly director: string;
  readonly transport: Transport;
  readonly store: LvsStore;
  readonly intervalMs: number;
  /**
   * Rounds fall on the clock's grid `phaseMs + k * intervalMs` (ms since the epoch): probers of one director in
   * consoles and serves side by side start their rounds at the same moments, and the director probes once for them
   * all (RS_PROBE_SCRIPT takes turns). Absent: every interval from the start.
   */
  readonly phaseMs?: number;
}

/**
 * One round as the director's probe shell runs it. Rounds of the same probes (targets, deadline) are shared by pollers
 * side by side (see RS_PROBE_SCRIPT: `lv_rk` names them); a round with a watched target never is.
 */
export function probeRoundScript(
  targets: readonly ProbeTarget[],
  deadlineMs: number,
  watched: ReadonlySet<number> = new Set(),
): string {
  const args = rsProbeArgs(targets, deadlineMs, watched);
  const key = createHash('sha256').update(args.join('\n')).digest('hex').slice(0, 16);
  return `${watched.size === 0 ? `lv_rk=${key}\n` : ''}set -- ${args.map(quoteArg).join(' ')}\n${RS_PROBE_SCRIPT}`;
}

/** Targets of one round, deduplicated (a server in two services is probed once), with the status codes that pass. */
function roundTargets(store: LvsStore, director: string): { target: ProbeTarget; expect?: readonly number[] }[] {
  const byKey = new Map<string, { target: ProbeTarget; expect?: readonly number[] }>();
  for (const { plan } of directorProbePlans(store.getState(), director))
    if ('target' in plan && !byKey.has(probeTargetKey(plan.target)))
      byKey.set(probeTargetKey(plan.target), { target: plan.target, ...(plan.expect ? { expect: plan.expect } : {}) });
  return [...byKey.values()];
}

/** An HTTP answer passes when its status is one the checker (or the config) expects. */
function judged(outcome: ProbeOutcome, expect: readonly number[] | undefined): ProbeOutcome {
  if (outcome.status === undefined || !expect || expect.includes(outcome.status)) return outcome;
  return { ...outcome, ok: false, detail: `${outcome.detail} (expected ${expect.join(' or ')})` };
}

/**
 * Probes a director's real servers from the director itself, on its own loop beside the host's poll: a round never
 * delays the IPVS part, at most one round is under way (one probe at a time within it, two processes in all), and a
 * round probes only as many servers as keep its CPU on the director within `costShare` of the poll's (both from the
 * shells' own `times`; at most `maxPerRound`): a bigger table is probed in turns, each server every few rounds (its
 * age and the turn are shown). A round that cannot run (the director down, the exec failed) records nothing: the
 * last results stay, with their age.
 */
export class RsProber {
  private readonly o: RsProberOptions;
  private readonly grid: GridTimer;
  private running: Promise<void> | undefined;
  private cursor = 0;
  /** CPU one probe costs the director (ms, a moving average of whole rounds): sizes the rounds. */
  private perProbeCpuMs: number | undefined;
  /** From sending a round to its first line back (ms, a moving average): the link's share of a round's time. */
  private startLatencyMs: number | undefined;

  constructor(options: RsProberOptions) {
    this.o = options;
    this.grid = new GridTimer(options.intervalMs, options.phaseMs, () => void this.probe());
  }

  start(): void {
    this.grid.start();
  }

  async stop(): Promise<void> {
    this.grid.stop();
    await this.running;
  }

  /**
   * One round in the director's long-lived probe shell (bash), a fork a round; where the transport keeps none, as
   * its own `timeout … bash`. A round that runs past its bound (a connect that hangs for the first time) ends the
   * probe shell; what it printed up to then still counts, so the hung probe is failed at the deadline and goes last,
   * watched, from the next round on.
   */
  private async runRound(
    targets: readonly ProbeTarget[],
    deadline: number,
    watched: ReadonlySet<number>,
  ): Promise<{ stdout: string; exitCode: number | null; killedAtMs: number }> {
    const bound = roundKillMs(deadline, watched.size);
    const maxOutputBytes = 64 * 1024 + targets.length * 1024;
    const { transport } = this.o;
    if (!transport.execBash) {
      const r = await transport.exec(rsProbeArgv(targets, deadline, watched), {
        timeoutMs: bound + 5000,
        maxOutputBytes,
      });
      return { stdout: r.stdout, exitCode: r.exitCode, killedAtMs: bound };
    }
    const script = probeRoundScript(targets, deadline, watched);
    const chunks: Buffer[] = [];
    const started = Date.now();
    let firstAt: number | undefined;
    const onStdout = (c: Buffer) => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        this.startLatencyMs = smoothed(this.startLatencyMs, firstAt - started);
      }
      chunks.push(c);
    };
    try {
      const r = await transport.execBash(script, {
        timeoutMs: bound + this.latencyAllowanceMs(),
        maxOutputBytes,
        onStdout,
      });
      return { stdout: r.stdout, exitCode: r.exitCode, killedAtMs: bound };
    } catch (err) {
      // Nothing back within the allowance: the link is at least that slow; the next round allows for it.
      if (err instanceof TransportFailure && err.detail.kind === 'timeout' && firstAt === undefined)
        this.startLatencyMs = Math.max(this.startLatencyMs ?? 0, Date.now() - started);
      if (!(err instanceof TransportFailure) || err.detail.kind !== 'timeout' || chunks.length === 0) throw err;
      // The round's own clock started about when its first line came back.
      return { stdout: Buffer.concat(chunks).toString('utf8'), exitCode: null, killedAtMs: Date.now() - firstAt! };
    }
  }

  /**
   * The round's bound is the director's time; the link adds its own on top: twice the time its first line took to come
   * back (a moving average; a round that got nothing back at all counts its whole wait), between 1 and 30 s. Before
   * that is known: twice the host's last poll, at least 5 s. A slow SSH link must not end every round.
   */
  private latencyAllowanceMs(): number {
    const pollMs = this.o.store.getState().hosts[this.o.director]?.pollDurationMs ?? 0;
    const latency = this.startLatencyMs ?? Math.max(2500, pollMs);
    return Math.min(30_000, Math.max(1000, Math.round(2 * latency)));
  }

  /** What the round cost the director, per probe, and how the next rounds are sized (shown in the detail). */
  private measured(stdout: string, probed: number, targets: number, settings: HealthProbes): void {
    const cpuMs = probeRoundCpuMs(stdout);
    if (cpuMs === undefined || probed === 0) return;
    this.perProbeCpuMs = smoothed(this.perProbeCpuMs, cpuMs / probed);
    const { store, director } = this.o;
    const perRound = probeRoundSize(targets, settings, store.getState().hosts[director]?.pollCpuMs, this.perProbeCpuMs);
    store.getState().setProbeBudget(director, {
      perProbeCpuMs: Math.round(this.perProbeCpuMs * 100) / 100,
      perRound,
      targets,
      everyRounds: Math.ceil(targets / perRound),
      share: settings.costShare,
    });
  }

  probe(): Promise<void> {
    const { store, director } = this.o;
    const state = store.getState();
    const status = state.hosts[director]?.status;
    if (this.running || state.paused || (status !== 'up' && status !== 'slow'))
      return this.running ?? Promise.resolve();
    const settings = probeSettings(state, director);
    const all = roundTargets(store, director);
    if (!settings.enabled || all.length === 0) return Promise.resolve();
    const count = probeRoundSize(all.length, settings, state.hosts[director]?.pollCpuMs, this.perProbeCpuMs);
    const start = this.cursor % all.length;
    const turn = Array.from({ length: count }, (_, i) => all[(start + i) % all.length]!);
    this.cursor = (start + count) % all.length;
    // Probes run one after another: those that used all of the deadline last time go last, each in a subshell the
    // round stops waiting for at the deadline, so a dead address or a server that never answers holds up nothing.
    const last = state.probes[director] ?? {};
    const usedDeadline = (t: ProbeTarget) => /no (HTTP )?answer within/.test(last[probeTargetKey(t)]?.detail ?? '');
    const quick = turn.filter((b) => !usedDeadline(b.target));
    const batch = [...quick, ...turn.filter((b) => usedDeadline(b.target))];
    const watched = new Set(batch.map((_, i) => i).filter((i) => i >= quick.length));
    const deadline = settings.deadlineMs;
    const targets = batch.map((b) => b.target);
    this.running = this.runRound(targets, deadline, watched)
      .then(({ stdout, exitCode, killedAtMs }) => {
        const at = Date.now();
        if (exitCode === 127 || exitCode === 126) {
          const why = 'not probed: the director has no bash or timeout to probe with';
          store.getState().setRsProbes(
            director,
            targets.map((target) => ({ target, outcome: { ok: undefined, ms: 0, detail: why } })),
            at,
          );
          return;
        }
        this.measured(stdout, targets.length, all.length, settings);
        const parsed = parseRsProbe(stdout, targets, deadline, killedAtMs);
        if (!parsed.ok) {
          debugLog('rs-probe-unreadable', { host: director, error: parsed.error.message });
          return;
        }
        store.getState().setRsProbes(
          director,
          batch.map((b, i) => ({ target: b.target, outcome: judged(parsed.value[i]!, b.expect) })),
          at,
        );
      })
      .catch((err: unknown) => debugLog('rs-probe-failed', { host: director, error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
