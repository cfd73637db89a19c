import { VIEWS } from './views.js';

/**
 * Every command id of the console, in the order of its command table (components/commands.ts): what the config's
 * `keys` may name. Here, outside the UI, so checking a config does not load the console; the table's test keeps
 * the two the same.
 */
export const COMMAND_IDS: readonly string[] = [
  'help',
  'command-line',
  'filter',
  'clear',
  'down',
  'up',
  'page-down',
  'page-up',
  'top',
  'bottom',
  'next-view',
  'prev-view',
  'view',
  'next-cluster',
  ...VIEWS.map((_, i) => `view-${i + 1}`),
  'sort',
  'reverse',
  'tag',
  'detail',
  'pause',
  'refresh',
  'weight',
  'weight-up',
  'weight-down',
  'drain',
  'restore',
  'drain-host',
  'scheduler',
  'force-master',
  'force-backup',
  'release',
  'undo',
  'quit',
];
