import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { COMMAND_IDS, COMMANDS } from './commands.js';
import { clearDanger, commandFor, commandForWord, effectiveKeymap, keyName } from './keymap.js';
import { moveSelection, tableBodyHeight, tableHeight, visibleSelection } from './layout.js';

const key = (k: Partial<Key>): Key => k as Key;

describe('the command table', () => {
  it('binds every key once per view, and names each id once', () => {
    expect(new Set(COMMAND_IDS).size).toBe(COMMAND_IDS.length);
    for (const view of ['services', 'vrrp', 'overview'] as const) {
      const bound = COMMANDS.filter((c) => !c.views || c.views.includes(view)).flatMap((c) => c.keys);
      expect(new Set(bound).size).toBe(bound.length);
    }
  });

  it('in read-only mode has no dangerous command: no key, no : word', () => {
    const ro = effectiveKeymap(COMMANDS, {}, true);
    expect(ro).toEqual(clearDanger(COMMANDS));
    expect(ro.some((c) => c.dangerous)).toBe(false);
    expect(commandFor(ro, 'd', 'services')).toBeUndefined();
    expect(commandForWord(ro, 'weight')).toBeUndefined();
    expect(commandForWord(ro, 'filter')?.id).toBe('filter');
  });

  it('takes key overrides by command id', () => {
    const table = effectiveKeymap(COMMANDS, { drain: ['x'] }, false);
    expect(commandFor(table, 'x', 'services')?.id).toBe('drain');
    expect(commandFor(table, 'd', 'services')).toBeUndefined();
    expect(commandFor(table, 'x', 'vrrp')).toBeUndefined();
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
