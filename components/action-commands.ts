import type { WeightValue } from '../src/actions/console-contract.js';
import { serviceTargetOf, type RealServerTarget, type VrrpTarget } from '../src/actions/row-target.js';
import { parseSchedulerArg, parseWeightArg, SCHEDULER_WORDS } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import { say, selectedRow, withArg } from './command-helpers.js';
import type { ConsoleCommand } from './console-command-type.js';

/** Tagged real servers, else the selected one. */
function weightTargets(ctx: CommandContext): RealServerTarget[] {
  const tagged = ctx.state().tagged;
  const targets = ctx.allRows.flatMap((r) =>
    tagged.includes(r.id) && r.target?.kind === 'real-server' ? [r.target] : [],
  );
  if (targets.length > 0) return targets;
  const t = selectedRow(ctx)?.target;
  return t?.kind === 'real-server' ? [t] : [];
}

function weight(ctx: CommandContext, value: WeightValue, wholeHost = false): void {
  const targets = weightTargets(ctx);
  if (targets.length === 0) say(ctx, 'select or tag a real server row first');
  else ctx.startAction({ kind: 'weight', cluster: ctx.cluster, targets, value, ...(wholeHost ? { wholeHost } : {}) });
}

function vrrp(ctx: CommandContext, act: (target: VrrpTarget) => void): void {
  const t = selectedRow(ctx)?.target;
  if (t?.kind === 'vrrp') act(t);
  else say(ctx, 'select a director row first');
}

/** The commands that change a cluster: all dangerous, so read-only mode drops every one of them. */
export const ACTION_COMMANDS: readonly ConsoleCommand[] = [
  {
    id: 'weight',
    keys: ['w'],
    words: ['weight', 'w'],
    description: 'set weight of selected / tagged real servers (:weight N|drain|restore)',
    dangerous: true,
    views: ['services'],
    footer: true,
    complete: () => ['drain', 'restore'],
    run: (ctx, arg) =>
      arg === undefined
        ? ctx.dispatch({ type: 'mode', mode: 'command', input: 'weight ' })
        : withArg(ctx, parseWeightArg(arg), (value) => weight(ctx, value)),
  },
  {
    id: 'weight-up',
    keys: ['+'],
    description: 'weight +1',
    dangerous: true,
    views: ['services'],
    run: (ctx) => weight(ctx, '+1'),
  },
  {
    id: 'weight-down',
    keys: ['-'],
    description: 'weight -1',
    dangerous: true,
    views: ['services'],
    run: (ctx) => weight(ctx, '-1'),
  },
  {
    id: 'drain',
    keys: ['d'],
    description: 'drain (weight 0)',
    dangerous: true,
    views: ['services'],
    footer: true,
    run: (ctx) => weight(ctx, 'drain'),
  },
  {
    id: 'restore',
    keys: ['R'],
    description: 'restore weight before drain',
    dangerous: true,
    views: ['services'],
    run: (ctx) => weight(ctx, 'restore'),
  },
  {
    id: 'drain-host',
    keys: ['D'],
    words: ['host'],
    description: 'drain the selected server in every service on every director, as one change (:host restore)',
    dangerous: true,
    views: ['services'],
    complete: () => ['drain', 'restore'],
    run: (ctx, arg = 'drain') =>
      arg === 'drain' || arg === 'restore'
        ? weight(ctx, arg, true)
        : say(ctx, `:host drain or :host restore, not "${arg}"`),
  },
  {
    id: 'scheduler',
    keys: ['e'],
    words: ['scheduler', 'sched'],
    description: 'switch scheduler of selected service (:scheduler NAME)',
    dangerous: true,
    views: ['services'],
    complete: () => SCHEDULER_WORDS,
    run: (ctx, arg) => {
      if (arg === undefined) return ctx.dispatch({ type: 'mode', mode: 'command', input: 'scheduler ' });
      withArg(ctx, parseSchedulerArg(arg), (scheduler) => {
        const t = selectedRow(ctx)?.target;
        if (t?.kind !== 'service' && t?.kind !== 'real-server') return say(ctx, 'select a service row first');
        ctx.startAction({ kind: 'scheduler', cluster: ctx.cluster, target: serviceTargetOf(t), scheduler });
      });
    },
  },
  {
    id: 'force-master',
    keys: ['M'],
    description: 'force selected director MASTER',
    dangerous: true,
    views: ['vrrp'],
    footer: true,
    run: (ctx) =>
      vrrp(ctx, (target) => ctx.startAction({ kind: 'failover', cluster: ctx.cluster, target, to: 'MASTER' })),
  },
  {
    id: 'force-backup',
    keys: ['B'],
    description: 'force selected director BACKUP',
    dangerous: true,
    views: ['vrrp'],
    footer: true,
    run: (ctx) =>
      vrrp(ctx, (target) => ctx.startAction({ kind: 'failover', cluster: ctx.cluster, target, to: 'BACKUP' })),
  },
  {
    id: 'release',
    keys: ['L'],
    description: 'release forced VRRP state',
    dangerous: true,
    views: ['vrrp'],
    run: (ctx) => vrrp(ctx, (target) => ctx.startAction({ kind: 'release', cluster: ctx.cluster, target })),
  },
  {
    id: 'undo',
    keys: ['u'],
    description: 'undo last action',
    dangerous: true,
    run: (ctx) => ctx.startAction({ kind: 'undo' }),
  },
];
