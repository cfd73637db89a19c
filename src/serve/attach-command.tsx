import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { loadConsoleUi } from '../../components/load-console-ui.js';
import { watchTerminal } from '../cli/terminal-loss.js';
import { StoreContext } from '../../components/store-context.js';
import { AttachError, isUrl, openAttach, type AttachConnection } from './attach-connection.js';
import { connectionsInterest } from '../render/conn-rows.js';
import { applyPatch, createAttachedStore, nameCollisions } from './attached-store.js';
import { connectionsWatch } from './attach-watch.js';
import { remoteActions } from './remote-actions.js';
import type { StatePatch } from './state-diff.js';

export interface AttachOptions {
  readonly operator?: string;
  readonly tokenFile?: string;
  readonly caFile?: string;
  readonly insecureHttp?: boolean;
}

/** The first token of a token file (`NAME:TOKEN` or `TOKEN` lines), or LVSTOP_TOKEN. */
async function tokenOf(file: string | undefined): Promise<string | undefined> {
  if (!file) return process.env.LVSTOP_TOKEN;
  const line = (
    await readFile(file, 'utf8').catch((err: Error) => {
      throw new AttachError(`--token-file ${file}: ${err.message}`);
    })
  )
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .find(Boolean);
  if (!line) throw new AttachError(`--token-file ${file}: no token in it`);
  const colon = line.indexOf(':');
  return colon > 0 ? line.slice(colon + 1) : line;
}

function defaultOperator(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Attach to every target (all or nothing), then open the console on one local store fed by them. */
export async function runAttach(targets: readonly string[], options: AttachOptions): Promise<number> {
  const operator = options.operator ?? defaultOperator();
  const token = targets.some(isUrl) ? await tokenOf(options.tokenFile) : undefined;
  const results = await Promise.allSettled(
    targets.map((t) =>
      openAttach(t, {
        operator,
        ...(token ? { token } : {}),
        ...(options.caFile ? { caFile: options.caFile } : {}),
        ...(options.insecureHttp ? { insecureHttp: true } : {}),
      }),
    ),
  );
  const connections = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
  const clashes = nameCollisions(connections);
  if (failed.length > 0 || clashes.length > 0) {
    connections.forEach((c) => c.close());
    for (const f of failed) process.stderr.write(`lvstop: ${f}\n`);
    if (clashes.length > 0)
      process.stderr.write(`lvstop: these serves share names, attach to them one at a time: ${clashes.join(', ')}\n`);
    return 1;
  }
  const store = createAttachedStore(connections);
  const paused: StatePatch[] = [];
  for (const c of connections) {
    c.listen(
      (patch) => {
        if (store.getState().paused) paused.push(patch);
        else applyPatch(store, patch);
      },
      (why) => {
        // Serve went away: its hosts show as unreachable instead of their last values looking current.
        for (const h of c.hello.seed.hosts)
          store.getState().hostDown(h, { kind: 'unreachable', message: `serve ${c.target}: ${why}` }, Date.now());
      },
    );
  }
  const anyActions = connections.some((c) => c.hello.allowActions);
  const close = () => connections.forEach((c) => c.close());
  const watch = connectionsWatch(store, connections);
  const { render, App } = await loadConsoleUi();
  const app = render(
    <StoreContext.Provider value={store}>
      <App
        onQuit={close}
        onRefresh={() => connections.forEach((c) => c.send({ t: 'refresh' }))}
        onViewShown={(view, cluster) => watch(connectionsInterest(view, cluster))}
        onTogglePause={() => {
          const pausing = !store.getState().paused;
          store.getState().setPaused(pausing);
          if (!pausing) for (const p of paused.splice(0)) applyPatch(store, p);
        }}
        {...(anyActions ? { actions: remoteActions(connections) } : {})}
      />
    </StoreContext.Provider>,
    { exitOnCtrlC: false },
  );
  process.once('SIGTERM', () => app.unmount());
  watchTerminal(() => app.unmount());
  await app.waitUntilExit();
  close();
  return 0;
}

export type { AttachConnection };
