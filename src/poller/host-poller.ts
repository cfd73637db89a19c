import type { LvsStore } from '../store/lvs-store.js';
import type { Transport } from '../transport/transport.js';
import { debugLog } from '../debug-log.js';
import { TransportFailure } from '../transport/transport-error.js';
import type { ConnectGate } from './connect-gate.js';
import type { HostPlan } from './host-plan.js';
import { nextGridDelay } from './poll-grid.js';
import { PollRun } from './poll-run.js';
import type { SectionOutput } from '../../collectors/section.js';

export interface HostPollerOptions {
  readonly host: string;
  readonly transport: Transport;
  readonly plan: HostPlan;
  readonly store: LvsStore;
  readonly intervalMs: number;
  readonly commandTimeoutMs: number;
  readonly backoffMaxMs?: number;
  readonly now?: () => number;
  /** Shared by a fleet: polls that must first connect wait here for a handshake slot. */
  readonly connectGate?: ConnectGate;
  /**
   * The first poll starts this long after `start` (the next ones an interval apart from it, or on the grid of
   * `phaseMs`): a fleet gives each host its own share of the interval, so that its hosts' polls never come in one burst.
   */
  readonly firstPollDelayMs?: number;
  /**
   * After the first poll, polls fall on the clock's grid `phaseMs + k * intervalMs` (ms since the epoch) instead of an
   * interval after the last tick: every poller of one config then polls a host at the same moments, however far apart
   * they started, and pollers side by side on a director (a console and a serve) share what it reads (keepalived's
   * dumps, ipvsadm's) instead of each making the host read it again. Timers that fire late do not drift off the grid.
   */
  readonly phaseMs?: number;
}

/**
 * One loop per host: a fast first tick, then the interval (on the clock's grid when given a phase); skips a tick while the last one runs; spaces polls that
 * outlast the interval; backs off while down.
 */
export class HostPoller {
  private readonly o: HostPollerOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private stopped = false;
  /**
   * A tick came while a poll was running: poll again as soon as it ends (and its rest, see `poll`), so slow hosts
   * are not a tick behind.
   */
  private caughtTick = false;

  constructor(options: HostPollerOptions) {
    this.o = options;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.o.firstPollDelayMs ?? 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Poll now (the `r` key), unless a poll is already under way. */
  refreshNow(): Promise<void> {
    this.nextAttemptAt = 0;
    return this.tick();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick();
      this.schedule(this.nextTickDelay());
    }, delayMs);
  }

  /** How long after a tick the next comes: an interval, or the next point of the grid at least half an interval on. */
  private nextTickDelay(): number {
    return nextGridDelay(this.now(), this.o.intervalMs, this.o.phaseMs);
  }

  tick(): Promise<void> {
    const { store, host } = this.o;
    if (this.running) {
      store.getState().tickSkipped(host);
      this.caughtTick = true;
      return this.running;
    }
    if (store.getState().paused || this.now() < this.nextAttemptAt) return Promise.resolve();
    // A transport with its own reconnect backoff decides when to try again; polling it sooner only repeats the error.
    if ((this.o.transport.retryInMs?.() ?? 0) > 0) return Promise.resolve();
    const gate = this.o.connectGate;
    const connected = this.o.transport.state === 'up';
    this.running = (gate && !connected ? gate.run(() => this.poll()) : this.poll()).finally(() => {
      this.running = undefined;
      if (this.caughtTick && !this.stopped) {
        this.caughtTick = false;
        void this.tick();
      }
    });
    return this.running;
  }

  /**
   * The last full output of each section that may answer UNCHANGED, kept across polls of the same shell. A failed
   * poll drops them all: the script then runs every command again.
   */
  private readonly kept = new Map<string, SectionOutput>();

  private async poll(): Promise<void> {
    const { store, host, transport, plan } = this.o;
    const started = this.now();
    debugLog('poll-start', { host });
    const run = new PollRun(host, store, plan, started, () => this.now(), this.kept);
    const allowances = new Set(plan.parts.map((p) => p.lateAfterIntervals ?? 1));
    const lateTimers: ReturnType<typeof setTimeout>[] = [];
    const lateCheck = (n: number) => {
      const next = run.markLate(n, this.o.intervalMs);
      if (next !== undefined) lateTimers.push(setTimeout(() => lateCheck(n), Math.max(0, next - this.now())));
    };
    for (const n of allowances) lateTimers.push(setTimeout(() => lateCheck(n), n * this.o.intervalMs));
    try {
      const options = { timeoutMs: this.o.commandTimeoutMs, onStdout: (chunk: Buffer) => run.onStdout(chunk) };
      const result = transport.execShell
        ? await transport.execShell(run.call, { ...options, inline: true, define: run.poll })
        : await transport.exec(['sh', '-c', run.script], options);
      run.ended(result);
      const readAt = this.now();
      if (run.sectionCount === 0) {
        const detail = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
        throw new TransportFailure({
          kind: 'exit-code',
          host,
          operation: 'poll',
          message: `poll script produced no sections: ${detail}`,
        });
      }
      this.failures = 0;
      // A poll that outlasted the interval spaces the next: the host then gets a pause of at least the overrun
      // before the next poll starts (it starts no sooner than 2 * took - interval after this one began). Polling
      // backs off by itself while a host struggles (a poll back to back with the last keeps a starved host busy):
      // a poll of ten intervals is followed by a pause of nine. A poll just over the interval costs the data just
      // as little age, where a pause of the whole poll would double the age at the interval's edge. A poll that
      // fits in the interval keeps the schedule: most of its time is waiting (the link, keepalived writing its
      // dumps), not the host's CPU, and spacing it would only age the data.
      const took = readAt - started;
      this.nextAttemptAt = took > this.o.intervalMs ? readAt + (took - this.o.intervalMs) : 0;
      run.settle(result.exitCode, readAt);
      debugLog('poll-end', { host, ms: readAt - started, sections: run.sectionCount, late: run.pendingCount });
    } catch (err) {
      this.pollFailed(err, run);
    } finally {
      lateTimers.forEach(clearTimeout);
    }
  }

  /** The poll's command failed: only the missing parts are stale if some came back, else the host is down. */
  private pollFailed(err: unknown, run: PollRun): void {
    const { store, host } = this.o;
    const detail =
      err instanceof TransportFailure ? err.detail : { kind: 'unreachable' as const, message: (err as Error).message };
    // The shell may be gone, and with it what it remembered: the next poll runs every command again.
    this.kept.clear();
    if (run.sectionCount > 0) {
      // The host answered part of the poll before the command failed: only the missing parts are stale.
      run.failPending(`${detail.kind}: ${detail.message}`, this.now());
      return;
    }
    this.failures += 1;
    debugLog('poll-failed', { host, kind: detail.kind, error: detail.message });
    if (this.o.transport.retryInMs) {
      store.getState().hostDown(host, { kind: detail.kind, message: detail.message }, this.now());
      return;
    }
    const backoff = Math.min(this.o.backoffMaxMs ?? 30_000, this.o.intervalMs * 2 ** (this.failures - 1));
    this.nextAttemptAt = this.now() + (this.failures > 1 ? backoff : 0);
    store.getState().hostDown(host, { kind: detail.kind, message: detail.message }, this.now());
  }
}
