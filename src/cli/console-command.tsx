import { render } from 'ink';
import { App } from '../../components/App.js';
import { StoreContext } from '../../components/store-context.js';
import { loadAuditTail } from '../audit-view.js';
import { consoleActions } from '../console-actions.js';
import { createFleet } from '../poller/fleet.js';
import { JumpHostSampler } from '../poller/jump-host-sampler.js';
import { VIEWS, type ViewId } from '../render/views.js';
import { EXIT_CONFIG, load } from './load.js';

export interface ConsoleOptions {
  readonly config: string;
  readonly readOnly?: boolean;
  readonly acceptNew?: boolean;
  readonly interval?: number;
  readonly view?: string;
  readonly cluster?: string;
  readonly filter?: string;
}

/** The console: poll the fleet, draw it, and close every connection on quit, SIGTERM or SIGHUP. */
export async function runConsole(opts: ConsoleOptions): Promise<void> {
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
    process.exit(EXIT_CONFIG);
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
  const sampler = new JumpHostSampler(fleet.store, Math.max(2000, fleet.store.getState().pollIntervalMs));
  fleet.start();
  sampler.start();
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    sampler.stop();
    return (closing ??= fleet.stop());
  };
  const app = render(
    <StoreContext.Provider value={fleet.store}>
      <App
        onQuit={() => void shutdown()}
        onRefresh={() => void fleet.refreshAll()}
        onTogglePause={() => fleet.store.getState().setPaused(!fleet.store.getState().paused)}
        keyOverrides={resolved.config.keys}
        {...(opts.view ? { initialView: opts.view as ViewId } : {})}
        {...(opts.cluster ? { initialCluster: opts.cluster } : {})}
        {...(opts.filter ? { initialFilter: opts.filter } : {})}
        {...(fleet.store.getState().readOnly ? {} : { actions: consoleActions(resolved, fleet, false) })}
      />
    </StoreContext.Provider>,
    { exitOnCtrlC: false },
  );
  // SIGHUP: the jump host session dropped. Both close every connection before the process ends.
  process.once('SIGTERM', () => app.unmount());
  process.once('SIGHUP', () => app.unmount());
  await app.waitUntilExit();
  await shutdown();
}
