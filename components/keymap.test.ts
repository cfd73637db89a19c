import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { COMMAND_IDS } from '../src/render/command-ids.js';
import { VIEWS } from '../src/render/views.js';
import { COMMANDS } from './commands.js';
import { commandFor, commandForWord, keyName } from './console-keys.js';
import { effectiveKeymap } from './keymap.js';
import { moveSelection, tableBodyHeight, tableHeight, visibleSelection } from './layout.js';

const key = (k: Partial<Key>): Key => k as Key;

/** The keys each command answers to in every view where it applies, written out: a changed binding fails here. */
const EXPECTED_KEYS: Record<string, readonly string[]> = {
  help: ['?'],
  'command-line': [':'],
  filter: ['/'],
  clear: ['escape'],
  down: ['j', 'down'],
  up: ['k', 'up'],
  'page-down': ['pagedown', 'ctrl+f'],
  'page-up': ['pageup', 'ctrl+b'],
  top: ['g', 'home'],
  bottom: ['G', 'end'],
  'next-view': ['tab'],
  'prev-view': ['shift+tab'],
  view: [],
  'next-cluster': ['c'],
  'view-1': ['1'],
  'view-2': ['2'],
  'view-3': ['3'],
  'view-4': ['4'],
  'view-5': ['5'],
  'view-6': ['6'],
  'view-7': ['7'],
  'view-8': ['8'],
  'view-9': ['9'],
  sort: ['s'],
  reverse: ['S'],
  tag: ['space'],
  detail: ['return'],
  pause: ['p'],
  refresh: ['r'],
  weight: ['w'],
  'weight-up': ['+'],
  'weight-down': ['-'],
  drain: ['d'],
  restore: ['R'],
  'drain-host': ['D'],
  scheduler: ['e'],
  'force-master': ['M'],
  'force-backup': ['B'],
  release: ['L'],
  undo: ['u'],
  quit: ['q', 'ctrl+c'],
};

/**
 * The commands that change a cluster, and the keys that run them (`:word` for one that only a : word runs): read-only
 * mode must leave none of them.
 */
const DANGEROUS: Record<string, string> = {
  weight: 'w',
  'weight-up': '+',
  'weight-down': '-',
  drain: 'd',
  restore: 'R',
  'drain-host': 'D',
  scheduler: 'e',
  'force-master': 'M',
  'force-backup': 'B',
  release: 'L',
  undo: 'u',
};

const idOf = (table: readonly { id: string }[] | undefined) => table?.map((c) => c.id);

describe('the command table', () => {
  it('binds the keys written out above, and names the ids the config check knows (src/render/command-ids)', () => {
    expect(Object.fromEntries(COMMANDS.map((c) => [c.id, c.keys]))).toEqual(EXPECTED_KEYS);
    expect(idOf(COMMANDS)).toEqual(COMMAND_IDS);
    expect(new Set(COMMAND_IDS).size).toBe(COMMAND_IDS.length);
  });

  it.each(VIEWS)('binds every key at most once in the %s view', (view) => {
    const bound = COMMANDS.filter((c) => !c.views || c.views.includes(view)).flatMap((c) => c.keys);
    const twice = bound.filter((k, i) => bound.indexOf(k) !== i);
    expect(twice).toEqual([]);
    for (const k of bound) expect(commandFor(COMMANDS, k, view)?.keys).toContain(k);
  });

  it('marks exactly the commands that change a cluster as dangerous', () => {
    expect(COMMANDS.filter((c) => c.dangerous).map((c) => c.id)).toEqual(Object.keys(DANGEROUS));
  });

  it('in read-only mode drops every dangerous key and : word in every view, and keeps the rest', () => {
    const ro = effectiveKeymap(COMMANDS, {}, true);
    for (const view of VIEWS)
      for (const [id, k] of Object.entries(DANGEROUS)) {
        if (k.startsWith(':')) {
          expect(commandForWord(ro, k.slice(1)), `${id} (${k})`).toBeUndefined();
          expect(commandForWord(COMMANDS, k.slice(1))?.id).toBe(id);
          continue;
        }
        expect(commandFor(ro, k, view), `${id} (${k}) in ${view}`).toBeUndefined();
        expect(commandFor(COMMANDS, k, view)?.id ?? id).toBe(id);
      }
    expect(commandForWord(ro, 'weight')).toBeUndefined();
    expect(commandForWord(ro, 'scheduler')).toBeUndefined();
    expect(commandForWord(ro, 'filter')?.id).toBe('filter');
    expect(idOf(ro)).toEqual(COMMAND_IDS.filter((id) => !(id in DANGEROUS)));
    expect(commandFor(ro, 'j', 'services')?.id).toBe('down');
    expect(idOf(effectiveKeymap(COMMANDS, {}, false))).toEqual(COMMAND_IDS);
  });

  it('takes key overrides by command id, before read-only drops what is dangerous', () => {
    const table = effectiveKeymap(COMMANDS, { drain: ['x'] }, false);
    expect(commandFor(table, 'x', 'services')?.id).toBe('drain');
    expect(commandFor(table, 'd', 'services')).toBeUndefined();
    expect(commandFor(table, 'x', 'vrrp')).toBeUndefined();
    expect(commandFor(effectiveKeymap(COMMANDS, { drain: ['x'] }, true), 'x', 'services')).toBeUndefined();
    expect(commandFor(effectiveKeymap(COMMANDS, { help: ['h'] }, true), 'h', 'services')?.id).toBe('help');
  });
});

describe('key names', () => {
  it('names what Ink reports', () => {
    expect(keyName('', key({ downArrow: true }))).toBe('down');
    expect(keyName('', key({ tab: true, shift: true }))).toBe('shift+tab');
    expect(keyName('c', key({ ctrl: true }))).toBe('ctrl+c');
    expect(keyName(' ', key({}))).toBe('space');
    expect(keyName('G', key({}))).toBe('G');
  });
});

describe('layout', () => {
  const rows = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, cells: [id], tone: 'normal' as const }));
  it('sizes the table to the terminal less header, alerts, status and footer', () => {
    expect(tableHeight(24, 0)).toBe(19);
    expect(tableHeight(24, 3)).toBe(16);
    expect(tableHeight(5, 3)).toBe(3);
    expect(tableBodyHeight(19)).toBe(17);
  });

  it('keeps the remembered row selected and on screen, else the first', () => {
    expect(visibleSelection(rows, 'e', 0, 3)).toEqual({ id: 'e', index: 4, offset: 2 });
    expect(visibleSelection(rows, 'gone', 0, 3)).toEqual({ id: 'a', index: 0, offset: 0 });
    expect(moveSelection(rows, 99, 0, 3)).toEqual({ id: 'f', offset: 3 });
    expect(moveSelection(rows, -1, 3, 3)).toEqual({ id: 'a', offset: 0 });
  });
});
