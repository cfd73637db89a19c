import type { Socket } from 'node:net';
import type { ActionLayer } from '../actions/console-contract.js';
import type { LvsStore, StoreSeed } from '../store/lvs-store.js';
import { readJsonLines } from './line-reader.js';
import { parseClientMessage } from './client-message.js';
import { MAX_CLIENT_LINE_BYTES, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from './protocol.js';
import { DEFAULT_SERVE_LIMITS, type ServeLimits } from './serve-limits.js';
import { diffState, stateSlices, type StateSlices } from './state-diff.js';

/** How a session's peer reached serve, for the operator's name in the audit log. */
export interface PeerOrigin {
  /** e.g. `unix /run/lvstop/serve.sock` or `tcp 10.0.0.5 token oncall`. */
  readonly via: string;
}

export interface HubOptions {
  readonly site: string;
  readonly seed: StoreSeed;
  readonly store: LvsStore;
  /** An action layer that names `operator` in the audit log, or undefined when serve does not allow actions. */
  readonly actionsFor?: (operator: string) => ActionLayer;
  /** A console asked for a poll now (serve rate-limits it: RefreshGate). */
  readonly refresh: () => void;
  /**
   * The clusters at least one attached console shows the Connections view of, each time that changes (serve's
   * watchers then read those directors' connection tables for every real server). Absent: consoles are not asked.
   */
  readonly watch?: (clusters: readonly string[]) => void;
  /** One line of serve's log; serve escapes what it is given (escapeLogText). */
  readonly log: (line: string) => void;
  /** Coalesce store changes for this long before sending one patch. */
  readonly batchMs?: number;
  readonly limits?: Partial<
    Pick<ServeLimits, 'maxClients' | 'helloTimeoutMs' | 'maxQueuedBytes' | 'maxTotalQueuedBytes'>
  >;
}

const MAX_PLANS = 8;
/** How long a console told why it is dropped may take to read that line before its socket is destroyed. */
const DROP_GRACE_MS = 1000;

interface Session {
  readonly socket: Socket;
  operator?: string;
  actions?: ActionLayer;
  readonly plans: Map<number, unknown>;
  /** The hello deadline, then the drop grace timer. */
  timer?: NodeJS.Timeout;
  /** Out of `sessions` and on its way out: it is sent nothing more and dropped only once. */
  gone?: boolean;
  /** The clusters whose Connections view it shows (those serve polls). */
  watching?: readonly string[];
}

/** Every attached viewer: one full state on attach, then one shared patch per batch of store changes. */
export class ServeHub {
  private readonly sessions = new Set<Session>();
  private readonly limits;
  private sent: StateSlices;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  /** What `watch` was last told. */
  private watched: readonly string[] = [];

  constructor(private readonly options: HubOptions) {
    this.limits = { ...DEFAULT_SERVE_LIMITS, ...options.limits };
    this.sent = stateSlices(options.store.getState());
    this.unsubscribe = options.store.subscribe(() => this.schedule());
  }

  get viewers(): number {
    return [...this.sessions].filter((s) => s.operator).length;
  }

  /** Consoles connected now, attached or still to say hello. */
  get clients(): number {
    return this.sessions.size;
  }

  /** Bytes written to consoles and not yet taken by their sockets. */
  get queuedBytes(): number {
    let total = 0;
    for (const s of this.sessions) total += s.socket.writableLength;
    return total;
  }

  /** Take over a connected socket; the peer must say hello within the hello timeout. */
  attach(socket: Socket, origin: PeerOrigin): void {
    const session: Session = { socket, plans: new Map() };
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(session.timer);
      this.sessions.delete(session);
      this.updateWatch();
      if (session.operator) this.options.log(`detached: ${session.operator} (${session.plans.size} plan(s) dropped)`);
      session.plans.clear();
    });
    const { maxClients, helloTimeoutMs } = this.limits;
    if (this.sessions.size >= maxClients)
      return this.drop(
        session,
        `serve is full: ${maxClients} consoles connected (--max-clients ${maxClients})`,
        origin,
      );
    this.sessions.add(session);
    session.timer = setTimeout(
      () => this.drop(session, `no hello within ${helloTimeoutMs} ms`, origin),
      helloTimeoutMs,
    );
    readJsonLines(socket, MAX_CLIENT_LINE_BYTES, (e) => {
      if (session.gone) return;
      if (!e.ok) return this.drop(session, e.error, origin);
      const parsed = parseClientMessage(e.value);
      const t = parsed.ok ? parsed.message.t : (e.value as { t?: unknown } | null)?.t;
      if (!session.operator && typeof t === 'string' && t !== 'hello')
        return this.drop(session, 'say hello first', origin);
      if (!parsed.ok) return this.drop(session, parsed.error, origin);
      void this.handle(session, origin, parsed.message).catch((err: unknown) =>
        this.drop(session, err instanceof Error ? err.message : String(err), origin),
      );
    });
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  /** Tell the console why (one error line), then close: at once if it does not take the line in DROP_GRACE_MS. */
  private drop(session: Session, why: string, origin?: PeerOrigin): void {
    if (session.gone) return;
    this.forget(session, why, origin);
    session.socket.end(JSON.stringify({ t: 'error', message: why } satisfies ServerMessage) + '\n');
    session.timer = setTimeout(() => session.socket.destroy(), DROP_GRACE_MS);
    session.timer.unref();
  }

  /** Disconnect a console that does not read: destroyed at once, its queued output freed with the socket. */
  private cut(session: Session, why: string): void {
    if (session.gone) return;
    this.forget(session, `${why} (${session.socket.writableLength} bytes queued)`);
    session.socket.destroy();
  }

  private forget(session: Session, why: string, origin?: PeerOrigin): void {
    session.gone = true;
    clearTimeout(session.timer);
    this.sessions.delete(session);
    this.updateWatch();
    this.options.log(`dropping ${session.operator ?? `a client (${origin?.via ?? 'unknown'})`}: ${why}`);
  }

  private send(session: Session, message: ServerMessage): void {
    this.write(session, JSON.stringify(message) + '\n');
    this.enforceTotal();
  }

  private write(session: Session, line: string): void {
    if (session.gone || session.socket.destroyed) return;
    session.socket.write(line);
    if (session.socket.writableLength > this.limits.maxQueuedBytes) this.cut(session, 'too slow: output not read');
  }

  /** Over the total cap: disconnect the consoles with the most output queued until the rest fits. */
  private enforceTotal(): void {
    let total = this.queuedBytes;
    if (total <= this.limits.maxTotalQueuedBytes) return;
    const bySize = [...this.sessions].sort((a, b) => b.socket.writableLength - a.socket.writableLength);
    for (const s of bySize) {
      if (total <= this.limits.maxTotalQueuedBytes) break;
      total -= s.socket.writableLength;
      this.cut(s, `too slow: ${this.limits.maxTotalQueuedBytes} bytes queued for all consoles`);
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.broadcast();
    }, this.options.batchMs ?? 50);
  }

  private broadcast(): void {
    const next = stateSlices(this.options.store.getState());
    const patch = diffState(this.sent, next);
    this.sent = next;
    if (!patch) return;
    const line = JSON.stringify({ t: 'patch', ...patch } satisfies ServerMessage) + '\n';
    for (const s of this.sessions) if (s.operator) this.write(s, line);
    this.enforceTotal();
  }

  /** Tell `watch` the clusters the consoles still attached show the Connections view of, when that changed. */
  private updateWatch(): void {
    if (!this.options.watch) return;
    const all = [...new Set([...this.sessions].flatMap((s) => s.watching ?? []))].sort();
    if (all.length === this.watched.length && all.every((c, i) => c === this.watched[i])) return;
    this.watched = all;
    this.options.watch(all);
  }

  private async handle(session: Session, origin: PeerOrigin, m: ClientMessage): Promise<void> {
    if (!session.operator) {
      if (m.t !== 'hello') return;
      clearTimeout(session.timer);
      session.operator = `${m.operator}(${origin.via})`;
      session.actions = this.options.actionsFor?.(session.operator);
      this.options.log(`attached: ${session.operator}${session.actions ? ', actions allowed' : ', read-only'}`);
      this.send(session, {
        t: 'hello',
        v: PROTOCOL_VERSION,
        site: this.options.site,
        seed: this.options.seed,
        allowActions: session.actions !== undefined,
        operator: session.operator,
        ...(this.options.watch ? { connectionsWatch: true } : {}),
      });
      // What this session has is what every viewer has been sent so far: the next patch applies to it too.
      return this.send(session, { t: 'state', state: this.sent });
    }
    switch (m.t) {
      case 'hello':
        return this.drop(session, 'hello: said twice');
      case 'refresh':
        return this.options.refresh();
      case 'watch': {
        const polled = new Set(this.options.seed.clusters.map((c) => c.name));
        session.watching = m.clusters.filter((c) => polled.has(c));
        return this.updateWatch();
      }
      case 'cancel':
        session.plans.delete(m.id);
        return;
      case 'plan': {
        if (!session.actions)
          return this.send(session, {
            t: 'planned',
            id: m.id,
            ok: false,
            message: 'read-only: this serve does not allow actions',
          });
        const outcome = await session.actions.plan(m.request);
        if (session.gone || session.socket.destroyed) return;
        if (outcome.ok) session.plans.set(m.id, outcome.token);
        // A cancelled dialog sends nothing: keep only the newest plans.
        for (const old of session.plans.keys()) if (session.plans.size > MAX_PLANS) session.plans.delete(old);
        this.options.log(`plan by ${session.operator}: ${outcome.ok ? outcome.preview.title : outcome.message}`);
        return this.send(
          session,
          outcome.ok
            ? { t: 'planned', id: m.id, ok: true, preview: outcome.preview }
            : { t: 'planned', id: m.id, ok: false, message: outcome.message },
        );
      }
      case 'run': {
        const token = session.plans.get(m.id);
        if (token === undefined || !session.actions)
          return this.send(session, { t: 'ran', id: m.id, ok: false, message: 'no such plan: plan again' });
        session.plans.delete(m.id);
        const result = await session.actions.run(token, m.confirmation, m.reason);
        this.options.log(`run by ${session.operator}: ${result.message}`);
        return this.send(session, { t: 'ran', id: m.id, ...result });
      }
    }
  }
}
