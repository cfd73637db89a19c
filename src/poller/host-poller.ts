import { randomBytes } from 'node:crypto';
import type { LvsStore } from '../store/lvs-store.js';
import type { Transport } from '../transport/transport.js';
import { debugLog } from '../debug-log.js';
import { TransportFailure } from '../transport/transport-error.js';
import type { HostPlan } from './host-plan.js';
import { buildSectionScript, splitSectionOutput } from './section-script.js';

export interface HostPollerOptions {
  readonly host: string;
  readonly transport: Transport;
  readonly plan: HostPlan;
  readonly store: LvsStore;
  readonly intervalMs: number;
  readonly commandTimeoutMs: number;
  readonly backoffMaxMs?: number;
  readonly now?: () => number;
}

/** One loop per host: a fast first tick, then the interval; skips a tick while the last one runs; backs off while down. */
export class HostPoller {
  private readonly o: HostPollerOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private stopped = false;
  /** A tick came while a poll was running: poll again as soon as it ends, so slow hosts are not a tick behind. */
  private caughtTick = false;

  constructor(options: HostPollerOptions) {
    this.o = options;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
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
      this.schedule(this.o.intervalMs);
    }, delayMs);
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
    this.running = this.poll().finally(() => {
      this.running = undefined;
      if (this.caughtTick && !this.stopped) {
        this.caughtTick = false;
        void this.tick();
      }
    });
    return this.running;
  }

  private async poll(): Promise<void> {
    const { store, host, transport, plan } = this.o;
    const started = this.now();
    debugLog('poll-start', { host });
    store.getState().hostAttempt(host, started);
    const nonce = randomBytes(6).toString('hex');
    try {
      const script = buildSectionScript(plan.sections(), nonce);
      const options = { timeoutMs: this.o.commandTimeoutMs };
      const result = transport.execShell
        ? await transport.execShell(script, options)
        : await transport.exec(['sh', '-c', script], options);
      const readAt = this.now();
      const outputs = splitSectionOutput(result.stdout, nonce);
      if (outputs.size === 0) {
        const detail = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
        throw new TransportFailure({
          kind: 'exit-code',
          host,
          operation: 'poll',
          message: `poll script produced no sections: ${detail}`,
        });
      }
      this.failures = 0;
      this.nextAttemptAt = 0;
      const state = store.getState();
      state.hostUp(host, readAt, readAt - started);
      plan.apply(outputs, state, readAt);
      debugLog('poll-end', { host, ms: readAt - started, sections: outputs.size });
    } catch (err) {
      const detail =
        err instanceof TransportFailure
          ? err.detail
          : { kind: 'unreachable' as const, message: (err as Error).message };
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
}
