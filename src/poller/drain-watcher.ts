import { ConnTableReader, IPVS_CONNS_ARGV, type ConnTableCounts } from '../../collectors/ipvs-conns.js';
import { debugLog } from '../debug-log.js';
import { afterTableRead, connectionsWatchedOn, connReadPeriodMs } from '../model/conn-watch.js';
import { drainTargets, needsRead } from '../model/drain-watch.js';
import type { ConnTableRead, DirectorDrains } from '../store/drain-slice.js';
import type { LvsStore } from '../store/lvs-store.js';
import type { Transport } from '../transport/transport.js';

export interface DrainWatcherOptions {
  readonly director: string;
  readonly transport: Transport;
  readonly store: LvsStore;
  readonly intervalMs: number;
  /** Give up on a read after this long (default 10 s): the counts so far are kept, marked as cut short. */
  readonly deadlineMs?: number;
}

const DEFAULT_DEADLINE_MS = 10_000;
/** Lines read at most: a table of ten million entries is counted to here and said to be cut short. */
const MAX_LINES = 10_000_000;

/**
 * Watches the drains on one director: while a real server sits at weight 0 with connections or templates left, its
 * connection table is read every other interval (at least 5 s apart), streamed and counted as it arrives, never held
 * whole, and the counts per server land in the store. One read at a time; a director with nothing to drain, or whose
 * weight-0 servers are all drained and idle, is not read at all. `ipvsadm -L -n -c` runs under `timeout`, so a read
 * ends on the host too when its deadline passes.
 *
 * While a console shows the Connections view of a cluster the director serves (`connectionsWatched` in the store),
 * the table is read at every tick of the same pace, whatever drains, and counted for every real server as well; the
 * view opening reads at once when the last read started a full period ago. Closing it drops those counts and leaves
 * the drains as they were.
 */
export class DrainWatcher {
  private readonly o: DrainWatcherOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When the last read started (ms): reads start at least a period apart. */
  private lastStart = -Infinity;

  constructor(options: DrainWatcherOptions) {
    this.o = options;
  }

  private get periodMs(): number {
    return connReadPeriodMs(this.o.intervalMs);
  }

  start(): void {
    this.schedule();
    const { store, director } = this.o;
    this.unsubscribe = store.subscribe((next, prev) => {
      if (next.connectionsWatched === prev.connectionsWatched) return;
      const was = connectionsWatchedOn(prev, director);
      const is = connectionsWatchedOn(next, director);
      if (is && !was) this.watchOpened();
      else if (was && !is) this.dropConns();
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.check(), this.periodMs);
  }

  /** A Connections view opened: read now, unless a read started within the period (the next tick comes soon). */
  private watchOpened(): void {
    if (this.running || Date.now() - this.lastStart < this.periodMs) return;
    this.schedule();
    void this.check();
  }

  private dropConns(): void {
    const prev = this.o.store.getState().drains[this.o.director];
    if (prev?.conns) this.o.store.getState().setDrains(this.o.director, withoutConns(prev));
  }

  /** Read the table now if a drain or a Connections view needs it (tests and `refresh` call this directly). */
  check(): Promise<void> {
    const { store, director } = this.o;
    const state = store.getState();
    const status = state.hosts[director]?.status;
    const ipvs = state.ipvs[director]?.reading;
    if (this.running || state.paused || (status !== 'up' && status !== 'slow') || ipvs?.status !== 'ok')
      return this.running ?? Promise.resolve();
    const targets = drainTargets(ipvs.table);
    const prev = state.drains[director];
    const watched = connectionsWatchedOn(state, director);
    if (!watched && targets.length === 0) {
      if (prev && (Object.keys(prev.servers).length > 0 || prev.conns))
        store.getState().setDrains(director, { ...withoutConns(prev), servers: {} });
      return Promise.resolve();
    }
    if (!watched && !needsRead(prev, targets)) {
      this.dropConns();
      return Promise.resolve();
    }
    this.lastStart = Date.now();
    this.running = this.read()
      .then(({ read, counts }) => {
        // A view closed while the table was read: its counts are not wanted any more.
        const still = watched && connectionsWatchedOn(store.getState(), director);
        store.getState().setDrains(director, afterTableRead(director, prev, ipvs.table, still, read, counts));
      })
      .catch((err: unknown) => debugLog('drain-read-failed', { host: director, error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async read(): Promise<{ read: ConnTableRead; counts?: ConnTableCounts }> {
    const deadlineMs = this.o.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const started = Date.now();
    const reader = new ConnTableReader({ deadline: started + deadlineMs, maxLines: MAX_LINES });
    const argv = ['timeout', '-s', 'KILL', String(Math.ceil(deadlineMs / 1000) + 1), ...IPVS_CONNS_ARGV];
    const at = () => ({ at: Date.now(), ms: Date.now() - started });
    try {
      const r = await this.o.transport.exec(argv, {
        timeoutMs: deadlineMs + 3000,
        keepStdout: false,
        maxOutputBytes: Number.MAX_SAFE_INTEGER,
        onStdout: (chunk) => void reader.feed(chunk),
      });
      const counts = reader.end();
      if (counts.truncated) return { read: this.ok(at(), counts), counts };
      if (r.exitCode !== 0 || !counts.header) {
        const why = r.stderr.trim().split('\n')[0] || `exit ${r.exitCode ?? r.signal}`;
        return { read: { ...at(), ok: false, error: `ipvsadm -L -n -c: ${why}` } };
      }
      return { read: this.ok(at(), counts), counts };
    } catch (err) {
      return { read: { ...at(), ok: false, error: (err as Error).message } };
    }
  }

  private ok(at: { at: number; ms: number }, counts: ConnTableCounts): ConnTableRead {
    return {
      ...at,
      ok: true,
      entries: counts.entries,
      garbage: counts.garbage,
      ...(counts.truncatedBy ? { truncatedBy: counts.truncatedBy } : {}),
    };
  }
}

/** The director's drains without the every-server counts of a Connections view. */
function withoutConns(d: DirectorDrains): DirectorDrains {
  const { conns: _dropped, ...rest } = d;
  return rest;
}
