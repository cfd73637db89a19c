import { Command, Option } from 'commander';
import { registerConventions } from '../cli-conventions.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { defaultConfigFile } from '../config/paths.js';
import { registerServeCommands } from '../serve/serve-commands.js';
import { EXIT } from '../actions/exit-codes.js';
import { registerActionCommands } from './headless-commands.js';

// A command imports what it runs only when it runs: `--version` loads no config schema, and the console's
// first frame does not wait for the serve, snapshot or headless action code.
const load = async (file: string): Promise<ResolvedConfig> => (await import('./load.js')).load(file);

interface GlobalOptions {
  config: string;
  readOnly?: boolean;
  acceptNew?: boolean;
  interval?: number;
  color?: boolean;
  view?: string;
  cluster?: string;
  filter?: string;
  record?: string | boolean;
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
        process.exit(EXIT.badInput);
      }
      return n;
    }),
  )
  .option('--no-color', 'no colours (NO_COLOR is honoured too)')
  .option(
    '--view <view>',
    'view shown first: overview, services, vrrp, replication, storage, hosts, events, audit, connections',
  )
  .option('--cluster <name>', 'cluster shown first')
  .option('--filter <regex>', 'row filter set at start')
  .option('--record [dir]', "record the session for `lvstop replay` (default dir: the config's recordDir)")
  .action(async () => (await import('./console-command.js')).runConsole(program.opts<GlobalOptions>()));

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
    const { runSnapshot } = await import('./snapshot-command.js');
    process.exitCode = await runSnapshot(resolved, {
      json: cmd.json ?? false,
      rates: cmd.rates,
      acceptNew: opts.acceptNew ?? false,
    });
  });

program
  .command('replay <path...>')
  .description('the console on a recording (file or directory of segments); --at --json, --events, --summary headless')
  .option(
    '--at <time>',
    "a moment: 03:14:05 (UTC, the recording's day), an ISO time, +25s from the start, -10m from the end",
  )
  .option('--json', 'with --at: print what `snapshot --json` printed then, plus recordedAt')
  .option('--events', 'print the event and audit timeline')
  .option('--from <time>', 'with --events: from this moment')
  .option('--to <time>', 'with --events: up to this moment')
  .option('--summary', 'first and last time, sites, clusters, hosts, alerts raised and cleared')
  .action(
    async (
      paths: string[],
      cmd: { at?: string; json?: boolean; events?: boolean; from?: string; to?: string; summary?: boolean },
    ) => {
      const { runReplay } = await import('./replay-command.js');
      process.exitCode = await runReplay(paths, cmd);
    },
  );

registerActionCommands(program, load);
registerServeCommands(program, load);
registerConventions(program);

export async function main(argv: readonly string[]): Promise<void> {
  await program.parseAsync([...argv]);
}
