import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/frames.js';
import { serveTestKit } from '../../test/support/serve-kit.js';
import { capturedStore } from '../../test/support/console-store.js';
import { createLvsStore } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import type { ClientMessage } from './protocol.js';
import { connectionsWatch } from './attach-watch.js';

const kit = serveTestKit();
const { serve, attach } = kit;

describe("serve's connection reads for attached Connections views", () => {
  it('reads for every server while at least one attached console shows the view, and for drains once none does', async () => {
    const s = await serve();
    const watched = () => s.fleet.store.getState().connectionsWatched;
    const sock = join(kit.dir, 'serve.sock');
    const a = await attach(sock);
    const b = await attach(sock, { operator: 'bob' });
    expect(a.hello.connectionsWatch).toBe(true);

    // A cluster this serve does not poll is not asked for.
    a.send({ t: 'watch', clusters: ['here-cluster', 'elsewhere'] });
    await eventually(() => expect(watched()).toEqual(['here-cluster']));
    a.send({ t: 'watch', clusters: [] });
    await eventually(() => expect(watched()).toEqual([]));
    b.send({ t: 'watch', clusters: ['here-cluster'] });
    await eventually(() => expect(watched()).toEqual(['here-cluster']));
    a.send({ t: 'watch', clusters: ['here-cluster'] });
    // Serve takes a console's lines in order: the answer to a later plan says the watch was taken.
    a.send({ t: 'plan', id: 1, request: { kind: 'undo' } });
    await expect(a.reply(1)).resolves.toMatchObject({ t: 'planned', ok: false });
    // bob leaves while alice still shows the view: still read.
    b.close();
    await eventually(() => expect(kit.logs.join('\n')).toMatch(/detached: bob/));
    expect(watched()).toEqual(['here-cluster']);
    // The last console watching goes away: back to the drains alone.
    a.close();
    await eventually(() => expect(watched()).toEqual([]));
  });
});

describe("an attached console's Connections view", () => {
  /** A serve as attach sees it: its hello (with or without connectionsWatch) and what it was sent. */
  const serveLink = (cluster: ClusterInfo, connectionsWatch: boolean) => {
    const sent: ClientMessage[] = [];
    const seed = { clusters: [cluster], hosts: cluster.directors, pollIntervalMs: 1000, readOnly: true };
    return {
      sent,
      hello: {
        t: 'hello' as const,
        v: 1,
        site: cluster.name,
        operator: 'alice',
        allowActions: false,
        seed,
        ...(connectionsWatch ? { connectionsWatch: true } : {}),
      },
      send: (m: ClientMessage) => void sent.push(m),
    };
  };

  it('asks each serve that can for its own clusters, once per change; an older serve is sent nothing', () => {
    // The console's two clusters, as if each came from its own serve.
    const [wordpress, second] = capturedStore().getState().clusters;
    const current = serveLink(wordpress!, true);
    const older = serveLink(second!, false);
    const store = createLvsStore({ clusters: [wordpress!, second!], hosts: [], pollIntervalMs: 1000, readOnly: true });
    const watch = connectionsWatch(store, [current, older]);
    watch([]);
    expect(current.sent).toEqual([]);
    watch(['wordpress']);
    watch(['wordpress']);
    expect(current.sent).toEqual([{ t: 'watch', clusters: ['wordpress'] }]);
    expect(store.getState().connectionsWatched).toEqual(['wordpress']);
    // The older serve reads for drains only: not asked, and the view says so (nothing watched for `second`).
    watch(['second']);
    expect(older.sent).toEqual([]);
    expect(current.sent.at(-1)).toEqual({ t: 'watch', clusters: [] });
    expect(store.getState().connectionsWatched).toEqual([]);
  });
});
