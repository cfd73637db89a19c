import { describe, expect, it } from 'vitest';
import { consoleReducer, initialConsoleState, type ConsoleAction, type ConsoleState } from './console-state.js';

const run = (...actions: ConsoleAction[]): ConsoleState => actions.reduce(consoleReducer, initialConsoleState);

describe('console state', () => {
  it('switches views, resetting sort and mode, and wraps around', () => {
    const s = run({ type: 'sort-next', columns: 3 }, { type: 'mode', mode: 'help' }, { type: 'view', view: 'vrrp' });
    expect(s).toMatchObject({ view: 'vrrp', mode: 'normal', sortColumn: undefined, reverse: false });
    expect(run({ type: 'view', view: 'overview' }, { type: 'view-step', by: -1 }).view).toBe('connections');
  });

  it('cycles the sort column through every column and back to none', () => {
    const steps = [1, 2, 3, 4].map((n) =>
      run(...Array.from({ length: n }, () => ({ type: 'sort-next', columns: 3 }) as const)),
    );
    expect(steps.map((s) => s.sortColumn)).toEqual([0, 1, 2, undefined]);
  });

  it('remembers the selection per view and clears tags on a cluster change', () => {
    const s = run(
      { type: 'select', id: 'a', offset: 2 },
      { type: 'toggle-tag', id: 'a' },
      { type: 'toggle-tag', id: 'b' },
    );
    expect(s.selected).toEqual({ services: 'a' });
    expect(s.offset).toEqual({ services: 2 });
    expect(s.tagged).toEqual(['a', 'b']);
    expect(consoleReducer(s, { type: 'toggle-tag', id: 'a' }).tagged).toEqual(['b']);
    expect(consoleReducer(s, { type: 'cluster', index: 1 }).tagged).toEqual([]);
  });

  it('takes typed text into the filter and back to normal', () => {
    const s = run({ type: 'mode', mode: 'filter', input: 'x' }, { type: 'input', input: 'xy' });
    expect(s).toMatchObject({ mode: 'filter', input: 'xy' });
    expect(consoleReducer(s, { type: 'set-filter', filter: 'xy' })).toMatchObject({
      filter: 'xy',
      mode: 'normal',
      input: '',
    });
  });

  it('opens a detail and keeps and clears a message', () => {
    const detail = { kind: 'real-server', address: '10.18.11.21' } as const;
    expect(run({ type: 'detail', detail })).toMatchObject({ mode: 'detail', detail });
    const said = run({ type: 'message', text: 'hi', tone: 'ok' });
    expect(said.message).toEqual({ text: 'hi', tone: 'ok' });
    expect(consoleReducer(said, { type: 'clear-message' }).message).toBeUndefined();
  });
});
