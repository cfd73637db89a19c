import type { ActionLayer, ConsoleRequest } from '../actions/console-contract.js';
import type { AttachConnection } from './attach-connection.js';

interface RemoteToken {
  readonly connection: AttachConnection;
  readonly id: number;
}

/**
 * Actions of an attached console: each request goes to the serve that owns its cluster and runs there, through
 * serve's one pipeline (preview, confirm, compare-and-set, verify, audit); this side only shows and confirms.
 */
export function remoteActions(connections: readonly AttachConnection[]): ActionLayer {
  let nextId = 1;
  const owner = (req: ConsoleRequest): AttachConnection | string => {
    if (req.kind === 'undo') {
      const allowed = connections.filter((c) => c.hello.allowActions);
      return allowed.length === 1 ? allowed[0]! : 'undo: attach to one serve only to undo its last action';
    }
    const c = connections.find((x) => x.hello.seed.clusters.some((k) => k.name === req.cluster));
    if (!c) return `no attached serve has cluster ${req.cluster}`;
    return c.hello.allowActions ? c : `read-only: ${c.target} does not allow actions`;
  };
  return {
    async plan(request) {
      const connection = owner(request);
      if (typeof connection === 'string') return { ok: false, message: connection };
      const id = nextId++;
      const reply = connection.reply(id);
      connection.send({ t: 'plan', id, request });
      const r = await reply;
      if (r.t === 'planned' && r.ok && r.preview) return { ok: true, preview: r.preview, token: { connection, id } };
      return { ok: false, message: r.message ?? 'plan failed' };
    },
    async run(token, confirmation, reason) {
      const { connection, id } = token as RemoteToken;
      const reply = connection.reply(id);
      connection.send({ t: 'run', id, confirmation, ...(reason ? { reason } : {}) });
      const r = await reply;
      return { ok: r.ok, message: r.message ?? '' };
    },
  };
}
