import { VIEWS } from '../src/render/views.js';
import { parseClusterArg, parseSortArg, parseViewArg } from './colon-command.js';
import { ACTION_COMMANDS } from './action-commands.js';
import type { CommandContext } from './command-context.js';
import { currentIndex, moveTo, say, selectedRow, withArg } from './command-helpers.js';
import type { ConsoleCommand } from './console-command-type.js';

export type { ConsoleCommand } from './console-command-type.js';

const move = (
  id: string,
  keys: string[],
  description: string,
  to: (ctx: CommandContext) => number,
): ConsoleCommand => ({
  id,
  keys,
  description,
  run: (ctx) => moveTo(ctx, to(ctx)),
});

/** Every command of the console. The key handler, the footer, the help and `:` completion all read this table. */
export const COMMANDS: readonly ConsoleCommand[] = [
  {
    id: 'help',
    keys: ['?'],
    description: 'help: every key',
    footer: true,
    run: (ctx) => ctx.dispatch({ type: 'mode', mode: 'help' }),
  },
  {
    id: 'command-line',
    keys: [':'],
    description: 'command line (:view vrrp, :cluster NAME, :weight N, :filter RE, :sort N)',
    run: (ctx) => ctx.dispatch({ type: 'mode', mode: 'command' }),
  },
  {
    id: 'filter',
    keys: ['/'],
    words: ['filter'],
    description: 'filter rows (regex)',
    footer: true,
    run: (ctx, arg) =>
      arg === undefined
        ? ctx.dispatch({ type: 'mode', mode: 'filter', input: ctx.state().filter })
        : ctx.dispatch({ type: 'set-filter', filter: arg }),
  },
  {
    id: 'clear',
    keys: ['escape'],
    description: 'clear filter / close dialog',
    run: (ctx) => {
      ctx.dispatch({ type: 'set-filter', filter: '' });
      ctx.dispatch({ type: 'clear-message' });
    },
  },
  move('down', ['j', 'down'], 'move down', (ctx) => currentIndex(ctx) + 1),
  move('up', ['k', 'up'], 'move up', (ctx) => currentIndex(ctx) - 1),
  move('page-down', ['pagedown', 'ctrl+f'], 'page down', (ctx) => currentIndex(ctx) + ctx.page),
  move('page-up', ['pageup', 'ctrl+b'], 'page up', (ctx) => currentIndex(ctx) - ctx.page),
  move('top', ['g', 'home'], 'first row', () => 0),
  move('bottom', ['G', 'end'], 'last row', (ctx) => ctx.rows.length - 1),
  {
    id: 'next-view',
    keys: ['tab'],
    description: 'next view',
    footer: true,
    run: (ctx) => ctx.dispatch({ type: 'view-step', by: 1 }),
  },
  {
    id: 'prev-view',
    keys: ['shift+tab'],
    description: 'previous view',
    run: (ctx) => ctx.dispatch({ type: 'view-step', by: -1 }),
  },
  {
    id: 'view',
    keys: [],
    words: ['view', 'v'],
    description: 'show a view by name (:view vrrp)',
    complete: () => VIEWS,
    // Bound to a key through the config, it opens the `:` line ready for the name.
    run: (ctx, arg) =>
      arg === undefined
        ? ctx.dispatch({ type: 'mode', mode: 'command', input: 'view ' })
        : withArg(ctx, parseViewArg(arg), (view) => ctx.dispatch({ type: 'view', view })),
  },
  {
    id: 'next-cluster',
    keys: ['c'],
    words: ['cluster'],
    description: 'next cluster (:cluster NAME)',
    footer: true,
    complete: (clusters) => clusters,
    run: (ctx, arg) =>
      arg === undefined
        ? ctx.dispatch({ type: 'cluster', index: (ctx.state().clusterIndex + 1) % Math.max(1, ctx.clusters.length) })
        : withArg(ctx, parseClusterArg(arg, ctx.clusters), (name) =>
            ctx.dispatch({ type: 'cluster', index: ctx.clusters.indexOf(name) }),
          ),
  },
  ...VIEWS.map((view, i): ConsoleCommand => ({
    id: `view-${i + 1}`,
    keys: [String(i + 1)],
    description: `view ${i + 1}`,
    run: (ctx) => ctx.dispatch({ type: 'view', view }),
  })),
  {
    id: 'sort',
    keys: ['s'],
    words: ['sort'],
    description: 'sort by next column (:sort N)',
    footer: true,
    run: (ctx, arg) =>
      arg === undefined
        ? ctx.dispatch({ type: 'sort-next', columns: ctx.columns })
        : withArg(ctx, parseSortArg(arg), (column) => ctx.dispatch({ type: 'sort-column', column })),
  },
  { id: 'reverse', keys: ['S'], description: 'reverse sort', run: (ctx) => ctx.dispatch({ type: 'reverse' }) },
  {
    id: 'tag',
    keys: ['space'],
    description: 'tag / untag row',
    views: ['services'],
    run: (ctx) => {
      const row = selectedRow(ctx);
      if (row) ctx.dispatch({ type: 'toggle-tag', id: row.id });
      moveTo(ctx, currentIndex(ctx) + 1);
    },
  },
  {
    id: 'detail',
    keys: ['return'],
    description: 'open detail',
    views: ['services', 'hosts', 'connections'],
    footer: true,
    run: (ctx) => {
      const detail = selectedRow(ctx)?.detail;
      if (detail) ctx.dispatch({ type: 'detail', detail });
    },
  },
  { id: 'pause', keys: ['p'], description: 'pause / resume updates', footer: true, run: (ctx) => ctx.togglePause() },
  {
    id: 'refresh',
    keys: ['r'],
    description: 'refresh now',
    run: (ctx) => {
      say(ctx, 'refreshing…', 'normal');
      ctx.refresh();
    },
  },
  ...ACTION_COMMANDS,
  {
    id: 'quit',
    keys: ['q', 'ctrl+c'],
    words: ['quit', 'q'],
    description: 'quit',
    footer: true,
    run: (ctx) => ctx.quit(),
  },
];
