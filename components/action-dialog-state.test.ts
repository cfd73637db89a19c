import { describe, expect, it } from 'vitest';
import {
  closedDialog,
  dialogIntent,
  dialogReducer,
  type DialogEvent,
  type DialogState,
} from './action-dialog-state.js';

const preview = { title: 'drain', lines: ['on nat-director: ipvsadm -e …'], warnings: [] };
const guarded = { ...preview, confirmName: 'real1', guardReason: 'last real server' };
const run = (...events: DialogEvent[]): DialogState => events.reduce(dialogReducer, closedDialog);

describe('dialog state', () => {
  it('goes closed → planning → confirm → running → closed', () => {
    expect(run({ type: 'plan' })).toEqual({ phase: 'planning' });
    const open = run({ type: 'plan' }, { type: 'planned', preview, token: 1 });
    expect(open).toEqual({ phase: 'confirm', preview, token: 1, typed: '' });
    expect(dialogReducer(open, { type: 'run' })).toMatchObject({ phase: 'running', token: 1 });
    expect(dialogReducer(open, { type: 'close' })).toBe(closedDialog);
  });

  it('ignores a plan that arrives after a cancel, and typing when not confirming', () => {
    expect(run({ type: 'planned', preview, token: 1 })).toBe(closedDialog);
    expect(run({ type: 'type', text: 'x' })).toBe(closedDialog);
    const running = run({ type: 'plan' }, { type: 'planned', preview, token: 1 }, { type: 'run' });
    expect(dialogReducer(running, { type: 'type', text: 'x' })).toBe(running);
  });

  it('collects and erases the typed name', () => {
    const s = run(
      { type: 'plan' },
      { type: 'planned', preview: guarded, token: 1 },
      { type: 'type', text: 're' },
      { type: 'type', text: 'x' },
      { type: 'erase' },
    );
    expect(s).toMatchObject({ typed: 're' });
  });
});

describe('what a key means', () => {
  const plain = run({ type: 'plan' }, { type: 'planned', preview, token: 1 });
  const named = run({ type: 'plan' }, { type: 'planned', preview: guarded, token: 1 }, { type: 'type', text: 'real1' });

  it('runs a plain action on y only', () => {
    expect(dialogIntent(plain, 'y', 'y', true)).toEqual({ type: 'confirm', confirmation: true });
    expect(dialogIntent(plain, 'return', '\r', true)).toEqual({ type: 'cancel' });
    expect(dialogIntent(plain, 'n', 'n', true)).toEqual({ type: 'cancel' });
  });

  it('runs a guarded action with what was typed on enter; esc cancels; y is just a letter', () => {
    expect(dialogIntent(named, 'return', '\r', true)).toEqual({ type: 'confirm', confirmation: 'real1' });
    expect(dialogIntent(named, 'escape', '', true)).toEqual({ type: 'cancel' });
    expect(dialogIntent(named, 'y', 'y', true)).toEqual({ type: 'type', text: 'y' });
    expect(dialogIntent(named, 'backspace', '', true)).toEqual({ type: 'erase' });
    expect(dialogIntent(named, 'ctrl+u', 'u', false)).toEqual({ type: 'ignore' });
  });

  it('does nothing while running', () => {
    expect(dialogIntent(dialogReducer(plain, { type: 'run' }), 'y', 'y', true)).toEqual({ type: 'ignore' });
  });
});
