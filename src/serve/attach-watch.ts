import type { LvsStore } from '../store/lvs-store.js';
import type { AttachConnection } from './attach-connection.js';

/**
 * What an attached console's Connections view asks of its serves: each serve that reads connection tables on request
 * is told which of its clusters are shown, when that changes. The local store keeps the clusters asked for, so the
 * view can say of a serve that reads for drains only (an older one) that it does.
 */
export function connectionsWatch(
  store: LvsStore,
  connections: readonly Pick<AttachConnection, 'hello' | 'send'>[],
): (clusters: readonly string[]) => void {
  // A serve starts out told nothing: it reads for drains only.
  const told = new Map<object, string>();
  return (clusters) => {
    const asked: string[] = [];
    for (const c of connections) {
      if (!c.hello.connectionsWatch) continue;
      const mine = clusters.filter((n) => c.hello.seed.clusters.some((x) => x.name === n));
      asked.push(...mine);
      const key = JSON.stringify(mine);
      if ((told.get(c) ?? '[]') === key) continue;
      told.set(c, key);
      c.send({ t: 'watch', clusters: mine });
    }
    store.getState().setConnectionsWatched(asked);
  };
}
