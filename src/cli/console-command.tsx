import { EXIT } from '../actions/exit-codes.js';
import { hostname } from 'node:os';
import { loadConsoleUi } from '../../components/load-console-ui.js';
import { StoreContext } from '../../components/store-context.js';
import { INK_MAX_FPS } from '../../components/use-store-frames.js';
import type { ActionLayer } from '../actions/console-contract.js';
import { loadAuditTail } from '../audit-view.js';
import { createFleet, type Fleet } from '../poller/fleet.js';
import type { JumpHostSampler } from '../poller/jump-host-sampler.js';
import { connectionsInterest } from '../render/conn-rows.js';
import { VIEWS, type ViewId } from '../render/views.js';
import type { LvsStore } from '../store/lvs-store.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { load } from './load.js';
import { watchTerminal } from './terminal-loss.js';

export interface ConsoleOptions {
  readonly config: string;
  readonly readOnly?: boolean;
  readonly acceptNew?: boolean;
  readonly interval?: number;
  readonly view?: string;
  readonly cluster?: string;
  readonly filter?: string;
  /** `--record [DIR]`: true records into the config's recordDir. */
  readonly record?: string | boolean;
}

/**
 * The console's action layer with its pipeline imported on the first call or by `preload`, so the first frame does
 * not wait for it.
 */
function deferredConsoleActions(resolved: ResolvedConfig, fleet: Fleet): ActionLayer & { preload(): void } {
  let loaded: Promise<ActionLayer> | undefined;
  const actions = () =>
    (loaded ??= import('../console-actions.js').then((m) => m.consoleActions(resolved, fleet, false)));
  return {
    plan: async (request) => (await actions()).plan(request),
    run: async (token, confirmation) => (await actions()).run(token, confirmation),
    preload: () => void actions().catch(() => undefined),
  };
}

/** `--record`: a warning (cannot write) goes to the Events view and the console goes on without recording. */
async function startConsoleRecording(resolved: ResolvedConfig, fleet: Fleet, record: string | true) {
  const { startRecording } = await import('../record/start-recording.js');
  const warn = (message: string) =>
    fleet.store.getState().addEvents([{ at: Date.now(), severity: 'warn', kind: 'record-warning', message }]);
  return startRecording(resolved, fleet.store, {
    site: hostname(),
    ...(typeof record === 'string' ? { dir: record } : {}),
    onWarning: warn,
  });
}

/** Resolves when no host is connecting any more (each has answered or failed once), or after `capMs`. */
function firstRoundDone(store: LvsStore, capMs: number): Promise<void> {
  const done = () => Object.values(store.getState().hosts).every((h) => h.status !== 'connecting');
  return new Promise((resolve) => {
    if (done()) return resolve();
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    // Unref'd: quitting before the first round ends must not wait for it.
    const timer = setTimeout(finish, capMs).unref();
    const unsubscribe = store.subscribe(() => done() && finish());
  });
}

/** The view on screen, as what the directors' watchers read: every server's connections while it is Connections. */
const watchShown = (store: LvsStore) => (view: ViewId, cluster: string) =>
  store.getState().setConnectionsWatched(connectionsInterest(view, cluster));

/** The console: poll the fleet, draw it, and close every connection on quit, SIGTERM or when its terminal goes away. */
export async function runConsole(opts: ConsoleOptions): Promise<void> {
  // The drawing code loads while the config is read and the fleet starts connecting.
  const ui = loadConsoleUi();
  const resolved = await load(opts.config, false);
  const problems = [
    ...(opts.view !== undefined && !VIEWS.includes(opts.view as ViewId)
      ? [`--view: "${opts.view}" is not a view (${VIEWS.join(', ')})`]
      : []),
    ...(opts.cluster !== undefined && !resolved.config.clusters.some((c) => c.name === opts.cluster)
      ? [`--cluster: no cluster "${opts.cluster}" in ${resolved.file}`]
      : []),
  ];
  if (problems.length > 0) {
    process.stderr.write(problems.map((p) => `lvstop: ${p}\n`).join(''));
    process.exit(EXIT.badInput);
  }
  const fleet = createFleet(resolved, {
    ...(opts.acceptNew ? { acceptNew: true } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.interval ? { pollIntervalMs: opts.interval } : {}),
    writeEventLog: true,
  });
  fleet.store.getState().addAudit(await loadAuditTail(resolved.auditLog));
  // Config warnings go to the Events view: printed before the first frame they would push it off the screen.
  fleet.store.getState().addEvents(
    (resolved.warnings ?? []).map((message) => ({
      at: Date.now(),
      severity: 'warn',
      kind: 'config-warning',
      message,
    })),
  );
  const actions = fleet.store.getState().readOnly ? undefined : deferredConsoleActions(resolved, fleet);
  let sampler: JumpHostSampler | undefined;
  fleet.start();
  const recorder = opts.record ? await startConsoleRecording(resolved, fleet, opts.record) : undefined;
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    sampler?.stop();
    return (closing ??= (recorder?.stop() ?? Promise.resolve()).then(() => fleet.stop()));
  };
  const { render, App } = await ui;
  const app = render(
    <StoreContext.Provider value={fleet.store}>
      <App
        onQuit={() => void shutdown()}
        onRefresh={() => void fleet.refreshAll()}
        onTogglePause={() => fleet.store.getState().setPaused(!fleet.store.getState().paused)}
        onViewShown={watchShown(fleet.store)}
        keyOverrides={resolved.config.keys}
        {...(opts.view ? { initialView: opts.view as ViewId } : {})}
        {...(opts.cluster ? { initialCluster: opts.cluster } : {})}
        {...(opts.filter ? { initialFilter: opts.filter } : {})}
        {...(actions ? { actions } : {})}
      />
    </StoreContext.Provider>,
    {
      exitOnCtrlC: false,
      // (Ink's incrementalRendering is not used: in tmux it left lines of earlier frames on the screen when the
      // frame's height changed.)
      maxFps: INK_MAX_FPS,
    },
  );
  // Both close every connection before the process ends (exit 0). The terminal goes away when the jump host session
  // drops (SIGHUP, EIO) or its tmux session is killed.
  process.once('SIGTERM', () => app.unmount());
  watchTerminal(() => app.unmount());
  // The action pipeline and the jump host sampler (systeminformation, whose first sample probes the interfaces
  // synchronously) load once every host has answered or failed once, so they do not hold up the first connections.
  const samplerMs = Math.max(2000, fleet.store.getState().pollIntervalMs);
  void firstRoundDone(fleet.store, samplerMs).then(async () => {
    actions?.preload();
    const { JumpHostSampler } = await import('../poller/jump-host-sampler.js');
    if (closing !== undefined) return;
    sampler = new JumpHostSampler(fleet.store, samplerMs);
    sampler.start();
  });
  await app.waitUntilExit();
  await shutdown();
}
