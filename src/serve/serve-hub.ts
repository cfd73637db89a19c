import type { Socket } from 'node:net';
import type { ConsoleRequest, ConsoleActions } from '../actions/console-contract.js';
import type { LvsStore, StoreSeed } from '../store/lvs-store.js';
import { readJsonLines, writeJsonLine } from './line-reader.js';
import { MAX_CLIENT_LINE_BYTES, PROTOCOL_VERSION, type ServerMessage } from './protocol.js';
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
  readonly actionsFor?: (operator: string) => ConsoleActions;
  readonly refresh: () => void;
  readonly log: (line: string) => void;
  /** Coalesce store changes for this long before sending one patch. */
  readonly batchMs?: number;
  /** Drop a viewer whose unsent output exceeds this (a stalled client must not grow serve's memory). */
  readonly maxQueuedBytes?: number;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_PLANS = 8;
const ACTION_KINDS = ['weight', 'scheduler', 'failover', 'release', 'undo'];

interface Session {
  readonly socket: Socket;
  operator?: string;
  actions?: ConsoleActions;
  readonly plans: Map<number, unknown>;
}

/** Every attached viewer: one full state on attach, then one shared patch per batch of store changes. */
export class ServeHub {
  private readonly sessions = new Set<Session>();
  private sent: StateSlices;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: HubOptions) {
    this.sent = stateSlices(options.store.getState());
    this.unsubscribe = options.store.subscribe(() => this.schedule());
  }

  get viewers(): number {
    return [...this.sessions].filter((s) => s.operator).length;
  }

  /** Take over a connected socket; the peer must say hello first. */
  attach(socket: Socket, origin: PeerOrigin): void {
    const session: Session = { socket, plans: new Map() };
    this.sessions.add(session);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sessions.delete(session);
      if (session.operator) this.options.log(`detached: ${session.operator} (${session.plans.size} plan(s) dropped)`);
      session.plans.clear();
    });
    readJsonLines(socket, MAX_CLIENT_LINE_BYTES, (e) => {
      if (!e.ok) return this.drop(session, e.error);
      void this.handle(session, origin, e.value).catch((err: unknown) => this.drop(session, String(err)));
    });
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  private drop(session: Session, why: string): void {
    this.options.log(`dropping ${session.operator ?? 'a client'}: ${why}`);
    writeJsonLine(session.socket, { t: 'error', message: why } satisfies ServerMessage);
    session.socket.end();
    session.socket.destroySoon();
  }

  private send(session: Session, message: ServerMessage): void {
    writeJsonLine(session.socket, message);
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
    const max = this.options.maxQueuedBytes ?? 64 * 1024 * 1024;
    for (const s of this.sessions) {
      if (!s.operator || s.socket.destroyed) continue;
      if (s.socket.writableLength > max) this.drop(s, 'too slow: output not read');
      else s.socket.write(line);
    }
  }

  private async handle(session: Session, origin: PeerOrigin, value: unknown): Promise<void> {
    const m = value as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || typeof m.t !== 'string') return this.drop(session, 'not a message');
    if (!session.operator) {
      if (m.t !== 'hello') return this.drop(session, 'say hello first');
      if (m.v !== PROTOCOL_VERSION)
        return this.drop(session, `protocol version ${String(m.v)} is not ${PROTOCOL_VERSION}`);
      if (typeof m.operator !== 'string' || !NAME.test(m.operator))
        return this.drop(session, 'operator: expected 1-64 of A-Z a-z 0-9 . _ -');
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
      });
      // What this session has is what every viewer has been sent so far: the next patch applies to it too.
      return this.send(session, { t: 'state', state: this.sent });
    }
    const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : undefined;
    switch (m.t) {
      case 'refresh':
        return this.options.refresh();
      case 'cancel':
        if (id !== undefined) session.plans.delete(id);
        return;
      case 'plan': {
        if (id === undefined) return this.drop(session, 'plan: no id');
        const request = m.request as { kind?: unknown } | null;
        if (typeof request !== 'object' || request === null || !ACTION_KINDS.includes(String(request.kind)))
          return this.drop(session, 'plan: not an action request');
        if (!session.actions)
          return this.send(session, {
            t: 'planned',
            id,
            ok: false,
            message: 'read-only: this serve does not allow actions',
          });
        const outcome = await session.actions.plan(request as ConsoleRequest);
        if (session.socket.destroyed) return;
        if (outcome.ok) session.plans.set(id, outcome.token);
        // A cancelled dialog sends nothing: keep only the newest plans.
        for (const old of session.plans.keys()) if (session.plans.size > MAX_PLANS) session.plans.delete(old);
        this.options.log(`plan by ${session.operator}: ${outcome.ok ? outcome.preview.title : outcome.message}`);
        return this.send(
          session,
          outcome.ok
            ? { t: 'planned', id, ok: true, preview: outcome.preview }
            : { t: 'planned', id, ok: false, message: outcome.message },
        );
      }
      case 'run': {
        const token = id === undefined ? undefined : session.plans.get(id);
        if (id === undefined || token === undefined || !session.actions)
          return this.send(session, { t: 'ran', id: id ?? -1, ok: false, message: 'no such plan: plan again' });
        if (m.confirmation !== true && typeof m.confirmation !== 'string')
          return this.drop(session, 'run: bad confirmation');
        session.plans.delete(id);
        const result = await session.actions.run(token, m.confirmation);
        this.options.log(`run by ${session.operator}: ${result.message}`);
        return this.send(session, { t: 'ran', id, ...result });
      }
      default:
        return this.drop(session, `unknown message ${JSON.stringify(m.t).slice(0, 40)}`);
    }
  }
}
