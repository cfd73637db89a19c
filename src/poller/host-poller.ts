import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { LvsStore } from '../store/lvs-store.js';
import type { Transport } from '../transport/transport.js';
import { debugLog } from '../debug-log.js';
import { TransportFailure } from '../transport/transport-error.js';
import type { ConnectGate } from './connect-gate.js';
import type { HostPlan, PollPart } from './host-plan.js';
import { keptSections, sectionPoll, SectionStream } from '../transport/section-script.js';
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
  /** The first poll starts after a random delay up to this long, so a big fleet does not start in one burst. */
  readonly firstPollJitterMs?: number;
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
    this.schedule(Math.floor(Math.random() * (this.o.firstPollJitterMs ?? 0)));
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
    const nonce = randomBytes(6).toString('hex');
    // Each part's sections are asked for once per poll: a part may decide per poll what it runs.
    const pending = new Map(plan.parts.map((part) => [part, part.sections()] as const));
    const sections = [...pending.values()].flat();
    const kept = keptSections(sections, this.kept);
    const poll = sectionPoll(sections, { cached: new Set(this.kept.keys()) });
    const stream = new SectionStream(nonce, undefined, kept);
    const decoder = new StringDecoder('utf8');
    let streamed = false;
    const ref = (part: PollPart) => ({ id: part.id, pane: part.pane });
    let answered = false;
    /**
     * Apply every part whose sections have all arrived, with one progress update for the lot. When that was the last
     * part the host has answered the poll, in the same update: a poll whose output arrives at once is one write.
     */
    const applyReady = () => {
      const done = stream.sections;
      const ready = [...pending].filter(([, sections]) => sections.every((x) => done.has(x.id)));
      if (ready.length === 0) return;
      const at = this.now();
      const state = store.getState();
      state.batch(() => {
        for (const [part] of ready) {
          pending.delete(part);
          part.apply(done, state, at);
        }
        state.pollProgress(host, { read: ready.map(([part]) => ref(part)) }, at);
        if (pending.size === 0) {
          state.hostUp(host, at, at - started);
          answered = true;
        }
      });
    };
    // A part still missing after an interval marks its pane stale; the rest of the host stays fresh.
    const lateTimer = setTimeout(() => {
      if (pending.size > 0) store.getState().pollProgress(host, { late: [...pending.keys()].map(ref) }, this.now());
    }, this.o.intervalMs);
    try {
      const options = {
        timeoutMs: this.o.commandTimeoutMs,
        onStdout: (chunk: Buffer) => {
          streamed = true;
          stream.push(decoder.write(chunk));
          applyReady();
        },
      };
      const result = transport.execShell
        ? await transport.execShell(poll.call(nonce), { ...options, inline: true, define: poll })
        : await transport.exec(['sh', '-c', `${poll.definition}\n${poll.call(nonce)}`], options);
      // A transport that does not stream hands over stdout at the end.
      if (!streamed) stream.push(result.stdout);
      const readAt = this.now();
      if (stream.sections.size === 0) {
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
      if (!answered)
        state.batch(() => {
          applyReady();
          if (pending.size > 0) {
            const reason = `poll ended without this part (exit code ${result.exitCode})`;
            state.pollProgress(host, { failed: [...pending.keys()].map((p) => ({ ...ref(p), reason })) }, readAt);
          }
          if (!answered) state.hostUp(host, readAt, readAt - started);
        });
      debugLog('poll-end', { host, ms: readAt - started, sections: stream.sections.size, late: pending.size });
    } catch (err) {
      const detail =
        err instanceof TransportFailure
          ? err.detail
          : { kind: 'unreachable' as const, message: (err as Error).message };
      this.kept.clear();
      if (stream.sections.size > 0) {
        // The host answered part of the poll before the command failed: only the missing parts are stale.
        const reason = `${detail.kind}: ${detail.message}`;
        store
          .getState()
          .pollProgress(host, { failed: [...pending.keys()].map((p) => ({ ...ref(p), reason })) }, this.now());
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
    } finally {
      clearTimeout(lateTimer);
    }
  }
}
