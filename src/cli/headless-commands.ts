import type { Command } from 'commander';
import { ActionError } from '../actions/action-error.js';
import type { ActionRequest } from '../actions/action-types.js';
import { EXIT } from '../actions/exit-codes.js';
import { schedulerRequestOf, weightRequestOf } from '../actions/target-spec.js';
import { parseWeightChange } from '../actions/weight-change.js';
import type { Config } from '../config/config-schema.js';
import type { Load } from './headless-action.js';

/** The action pipeline is imported when an action command runs, not for every command line parsed. */
async function headless(
  command: Command,
  load: Load,
  build: (config: Config) => ActionRequest | 'undo',
): Promise<void> {
  await (await import('./headless-action.js')).headless(command, load, build);
}

/** The options every action command takes; a usage error (missing argument, unknown option) exits 2. */
const confirmOptions = (c: Command) =>
  c
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT.badInput))
    .option('--yes', 'do not ask for y/N (a guarded action still needs --confirm-name)')
    .option('--confirm-name <name>', "type a guarded action's target name in advance")
    .option('--json', 'print the plan and the result as JSON on stdout')
    .option('--reason <text>', 'why: one line for the audit log (required with requireReason)')
    .option('--force', 'go ahead past a guard without its typed name (needs --reason; the audit line says forced)');

/**
 * The headless action commands: weight, scheduler, failover, release, undo. They share the root's -c and
 * --read-only; the arguments are parsed to typed requests here (target-spec.ts), and the exit codes are in
 * src/actions/README.md.
 */
export function registerActionCommands(program: Command, loadResolved: Load): void {
  confirmOptions(
    program
      .command('weight <cluster> <director> <service> <realServer> <value>')
      .description(
        'set a real server weight: N, +N, -N, drain or restore (service like tcp:VIP:80, udp:…, fwm:1, or all)',
      )
      .option('--all-services', 'every service of the director that has this real server')
      .option('--also-peer', 'the same change on the other directors of the cluster (keepalived pairs)'),
  ).action(
    async (cluster: string, director: string, service: string, realServer: string, value: string, _o, cmd: Command) => {
      const o = cmd.opts<{ allServices?: boolean; alsoPeer?: boolean }>();
      await headless(cmd, loadResolved, (config) =>
        weightRequestOf(config, {
          cluster,
          director,
          service: o.allServices ? 'all' : service,
          realServer,
          change: parseWeightChange(value),
          ...(o.alsoPeer ? { alsoPeer: true } : {}),
        }),
      );
    },
  );
  confirmOptions(
    program
      .command('scheduler <cluster> <director> <service> <scheduler>')
      .description("switch a service's scheduler, keeping persistence and flags")
      .option('--also-peer', 'the same change on the other directors of the cluster'),
  ).action(async (cluster: string, director: string, service: string, scheduler: string, _o, cmd: Command) => {
    const o = cmd.opts<{ alsoPeer?: boolean }>();
    await headless(cmd, loadResolved, (config) =>
      schedulerRequestOf(config, { cluster, director, service, scheduler, ...(o.alsoPeer ? { alsoPeer: true } : {}) }),
    );
  });
  confirmOptions(
    program
      .command('failover <cluster> <director> <instance>')
      .description('force a director to MASTER or BACKUP for a VRRP instance through the track files')
      .requiredOption('--to <state>', 'MASTER or BACKUP'),
  ).action(async (cluster: string, director: string, instance: string, _o, cmd: Command) => {
    const to = String(cmd.opts<{ to: string }>().to).toUpperCase();
    await headless(cmd, loadResolved, () => {
      if (to !== 'MASTER' && to !== 'BACKUP')
        throw new ActionError('bad-input', `--to: expected MASTER or BACKUP, got "${to}"`);
      return { action: 'failover', cluster, director, instance, to };
    });
  });
  confirmOptions(
    program
      .command('release <cluster> <director> <instance>')
      .description("write 0 to the console's track files of a VRRP instance on every director"),
  ).action(async (cluster: string, director: string, instance: string, _o, cmd: Command) => {
    await headless(cmd, loadResolved, () => ({ action: 'release', cluster, director, instance }));
  });
  confirmOptions(
    program.command('undo').description('reverse the last action in the audit log (previewed and confirmed like any)'),
  ).action(async (_o, cmd: Command) => {
    await headless(cmd, loadResolved, () => 'undo');
  });
}
