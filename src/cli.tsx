import { Command, Option } from 'commander';
import { render } from 'ink';
import { App } from '../components/App.js';
import { StoreContext } from '../components/store-context.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig, type ResolvedConfig } from './config/load-config.js';
import { DEFAULT_KEYMAP } from '../components/keymap.js';
import { registerActionCommands } from './actions/action-commands.js';
import { loadAuditTail } from './audit-view.js';
import { consoleActions } from './console-actions.js';
import { createFleet } from './poller/fleet.js';
import { JumpHostSampler } from './poller/jump-host-sampler.js';
import { runSnapshot } from './snapshot-command.js';
import { registerConventions } from './cli-conventions.js';
import { defaultConfigFile } from './config/paths.js';
import { exitWhenConfigMissing } from './init/no-config.js';

export const EXIT_CONFIG = 2;

interface GlobalOptions {
  config: string;
  readOnly?: boolean;
  acceptNew?: boolean;
  interval?: number;
  color?: boolean;
}

async function load(file: string): Promise<ResolvedConfig> {
  exitWhenConfigMissing(file);
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lvstop: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

async function runConsole(opts: GlobalOptions): Promise<void> {
  const resolved = await load(opts.config);
  const unknownKeys = Object.keys(resolved.config.keys).filter((id) => !DEFAULT_KEYMAP.some((c) => c.id === id));
  if (unknownKeys.length > 0) {
    process.stderr.write(
      `lvstop: invalid config ${resolved.file}:\n${unknownKeys.map((k) => `  - keys.${k}: unknown command (see the README's key table)`).join('\n')}\n`,
    );
    process.exit(EXIT_CONFIG);
  }
  const fleet = createFleet(resolved, {
    ...(opts.acceptNew ? { acceptNew: true } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.interval ? { pollIntervalMs: opts.interval } : {}),
    writeEventLog: true,
  });
  fleet.store.getState().addAudit(await loadAuditTail(resolved.auditLog));
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
        {...(fleet.store.getState().readOnly ? {} : { actions: consoleActions(resolved, fleet, false) })}
      />
    </StoreContext.Provider>,
    { exitOnCtrlC: false },
  );
  process.once('SIGTERM', () => app.unmount());
  await app.waitUntilExit();
  await shutdown();
}

const program = new Command()
  .name('lvstop')
  .description('Watch and steer Linux Virtual Server clusters over SSH')
  .option('-c, --config <file>', 'config file', defaultConfigFile())
  .option('--read-only', 'refuse every mutating action')
  .option('--accept-new', 'accept and record unknown host keys (never changed ones)')
  .addOption(
    new Option('--interval <ms>', 'poll interval in ms (at least 500)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 500) {
        process.stderr.write(`lvstop: --interval: expected an integer >= 500, got "${v}"\n`);
        process.exit(EXIT_CONFIG);
      }
      return n;
    }),
  )
  .option('--no-color', 'no colours (NO_COLOR is honoured too)')
  .action(async () => runConsole(program.opts<GlobalOptions>()));

program
  .command('check-config')
  .description('validate the config without connecting; exit 2 when it is invalid')
  .action(async () => {
    const resolved = await load(program.opts<GlobalOptions>().config);
    const c = resolved.config;
    process.stdout.write(
      `config ${resolved.file} is valid: ${c.clusters.length} cluster(s), ${resolved.hosts.size} host(s), poll every ${c.pollIntervalMs} ms${c.readOnly ? ', read-only' : ''}\n`,
    );
  });

program
  .command('snapshot')
  .description('poll every host once and print the model; exit 0 when every host answered, 1 otherwise')
  .option('--json', 'print JSON (the documented model)')
  .option('--no-rates', 'one poll only, without rates')
  .action(async (cmd: { json?: boolean; rates: boolean }) => {
    const opts = program.opts<GlobalOptions>();
    const resolved = await load(opts.config);
    process.exitCode = await runSnapshot(resolved, {
      json: cmd.json ?? false,
      rates: cmd.rates,
      acceptNew: opts.acceptNew ?? false,
    });
  });

registerActionCommands(program, load);
registerConventions(program);

export async function main(argv: readonly string[]): Promise<void> {
  await program.parseAsync([...argv]);
}
