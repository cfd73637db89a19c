import type { Key } from 'ink';

export const VIEWS = ['overview', 'services', 'vrrp', 'replication', 'storage', 'hosts', 'events', 'audit'] as const;
export type ViewId = (typeof VIEWS)[number];
export const VIEW_TITLES: Record<ViewId, string> = {
  overview: 'Overview',
  services: 'Services',
  vrrp: 'VRRP',
  replication: 'Replication',
  storage: 'Storage',
  hosts: 'Hosts & Doctor',
  events: 'Events',
  audit: 'Audit',
};

export type CommandId =
  | 'quit'
  | 'help'
  | 'command-line'
  | 'filter'
  | 'clear'
  | 'down'
  | 'up'
  | 'page-down'
  | 'page-up'
  | 'top'
  | 'bottom'
  | 'next-view'
  | 'prev-view'
  | 'next-cluster'
  | 'sort'
  | 'reverse'
  | 'tag'
  | 'detail'
  | 'pause'
  | 'refresh'
  | 'weight'
  | 'weight-up'
  | 'weight-down'
  | 'drain'
  | 'restore'
  | 'scheduler'
  | 'force-master'
  | 'force-backup'
  | 'release'
  | 'undo'
  | `view-${number}`;

export interface KeyCommand {
  readonly id: CommandId;
  readonly keys: readonly string[];
  readonly description: string;
  /** Mutates a cluster: not bound, not listed in read-only mode. */
  readonly dangerous?: boolean;
  /** Views where it applies (all when absent); the footer shows only these. */
  readonly views?: readonly ViewId[];
  /** Shown in the footer (the rest only in help). */
  readonly footer?: boolean;
}

export const DEFAULT_KEYMAP: readonly KeyCommand[] = [
  { id: 'help', keys: ['?'], description: 'help: every key', footer: true },
  {
    id: 'command-line',
    keys: [':'],
    description: 'command line (:view vrrp, :cluster NAME, :weight N, :filter RE, :sort N)',
  },
  { id: 'filter', keys: ['/'], description: 'filter rows (regex)', footer: true },
  { id: 'clear', keys: ['escape'], description: 'clear filter / close dialog' },
  { id: 'down', keys: ['j', 'down'], description: 'move down' },
  { id: 'up', keys: ['k', 'up'], description: 'move up' },
  { id: 'page-down', keys: ['pagedown', 'ctrl+f'], description: 'page down' },
  { id: 'page-up', keys: ['pageup', 'ctrl+b'], description: 'page up' },
  { id: 'top', keys: ['g', 'home'], description: 'first row' },
  { id: 'bottom', keys: ['G', 'end'], description: 'last row' },
  { id: 'next-view', keys: ['tab'], description: 'next view', footer: true },
  { id: 'prev-view', keys: ['shift+tab'], description: 'previous view' },
  { id: 'next-cluster', keys: ['c'], description: 'next cluster', footer: true },
  ...Array.from({ length: 8 }, (_, i) => ({
    id: `view-${i + 1}` as CommandId,
    keys: [String(i + 1)],
    description: `view ${i + 1}`,
  })),
  { id: 'sort', keys: ['s'], description: 'sort by next column', footer: true },
  { id: 'reverse', keys: ['S'], description: 'reverse sort' },
  { id: 'tag', keys: ['space'], description: 'tag / untag row', views: ['services'] },
  { id: 'detail', keys: ['return'], description: 'open detail', views: ['services'], footer: true },
  { id: 'pause', keys: ['p'], description: 'pause / resume updates', footer: true },
  { id: 'refresh', keys: ['r'], description: 'refresh now' },
  {
    id: 'weight',
    keys: ['w'],
    description: 'set weight of selected / tagged real servers',
    dangerous: true,
    views: ['services'],
    footer: true,
  },
  { id: 'weight-up', keys: ['+'], description: 'weight +1', dangerous: true, views: ['services'] },
  { id: 'weight-down', keys: ['-'], description: 'weight -1', dangerous: true, views: ['services'] },
  { id: 'drain', keys: ['d'], description: 'drain (weight 0)', dangerous: true, views: ['services'], footer: true },
  { id: 'restore', keys: ['R'], description: 'restore weight before drain', dangerous: true, views: ['services'] },
  {
    id: 'scheduler',
    keys: ['e'],
    description: 'switch scheduler of selected service',
    dangerous: true,
    views: ['services'],
  },
  {
    id: 'force-master',
    keys: ['M'],
    description: 'force selected director MASTER',
    dangerous: true,
    views: ['vrrp'],
    footer: true,
  },
  {
    id: 'force-backup',
    keys: ['B'],
    description: 'force selected director BACKUP',
    dangerous: true,
    views: ['vrrp'],
    footer: true,
  },
  { id: 'release', keys: ['L'], description: 'release forced VRRP state', dangerous: true, views: ['vrrp'] },
  { id: 'undo', keys: ['u'], description: 'undo last action', dangerous: true },
  { id: 'quit', keys: ['q', 'ctrl+c'], description: 'quit', footer: true },
];

/** Ink's (input, key) as one name: `j`, `G`, `ctrl+c`, `return`, `shift+tab`, `space`. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if ((key as { home?: boolean }).home) return 'home';
  if ((key as { end?: boolean }).end) return 'end';
  if (key.ctrl && input) return `ctrl+${input}`;
  if (input === ' ') return 'space';
  return input;
}

/** The keymap in force: user overrides applied; dangerous commands dropped in read-only mode. */
export function effectiveKeymap(
  overrides: Readonly<Record<string, readonly string[]>>,
  readOnly: boolean,
): KeyCommand[] {
  return DEFAULT_KEYMAP.filter((c) => !(readOnly && c.dangerous)).map((c) =>
    overrides[c.id] ? { ...c, keys: overrides[c.id]! } : c,
  );
}

export function commandFor(keymap: readonly KeyCommand[], name: string, view: ViewId): KeyCommand | undefined {
  return keymap.find((c) => c.keys.includes(name) && (!c.views || c.views.includes(view)));
}
