import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import {
  completeColonLine,
  parseClusterArg,
  parseSchedulerArg,
  parseSortArg,
  parseViewArg,
  parseWeightArg,
  splitColonLine,
} from './colon-command.js';
import { clearDanger } from './keymap.js';

describe('the : line', () => {
  it('splits into a word and the rest', () => {
    expect(splitColonLine('  weight   drain ')).toEqual({ word: 'weight', arg: 'drain' });
    expect(splitColonLine('filter a b')).toEqual({ word: 'filter', arg: 'a b' });
    expect(splitColonLine('')).toEqual({ word: '', arg: '' });
  });

  it('parses each argument or says why not', () => {
    expect(parseViewArg('vr')).toEqual({ ok: true, value: 'vrrp' });
    expect(parseViewArg('')).toMatchObject({ ok: false, message: expect.stringMatching(/unknown view ""/) });
    expect(parseClusterArg('wo', ['discuz', 'wordpress'])).toEqual({ ok: true, value: 'wordpress' });
    expect(parseClusterArg('x', ['discuz'])).toMatchObject({ ok: false });
    expect(parseWeightArg('0')).toEqual({ ok: true, value: 0 });
    expect(parseWeightArg('65535')).toEqual({ ok: true, value: 65535 });
    expect(parseWeightArg('drain')).toEqual({ ok: true, value: 'drain' });
    for (const bad of ['65536', '-2', '1.5', 'x', ''])
      expect(parseWeightArg(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/0\.\.65535/) });
    expect(parseSchedulerArg('wrr')).toEqual({ ok: true, value: 'wrr' });
    expect(parseSchedulerArg('fastest')).toMatchObject({ ok: false });
    expect(parseSortArg('2')).toEqual({ ok: true, value: 1 });
    expect(parseSortArg('none')).toEqual({ ok: true, value: undefined });
    expect(parseSortArg('0')).toMatchObject({ ok: false });
  });

  it('completes words from the table in force, then arguments', () => {
    expect(completeColonLine('sc', COMMANDS, [])).toBe('scheduler ');
    expect(completeColonLine('sc', clearDanger(COMMANDS), [])).toBe('sc');
    expect(completeColonLine('cluster w', COMMANDS, ['discuz', 'wordpress'])).toBe('cluster wordpress ');
    expect(completeColonLine('scheduler w', COMMANDS, [])).toBe('scheduler w');
    expect(completeColonLine('weight d', COMMANDS, [])).toBe('weight drain ');
    expect(completeColonLine('view re', COMMANDS, [])).toBe('view replication ');
  });
});
