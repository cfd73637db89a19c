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
    expect(open).toEqual({ phase: 'confirm', preview, token: 1, typed: '', reason: '', field: 'confirm' });
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

describe('the reason line', () => {
  const open = (p: typeof preview) => run({ type: 'plan' }, { type: 'planned', preview: p, token: 1 });
  const press = (s: DialogState, name: string, input = name): DialogState => {
    const intent = dialogIntent(s, name, input, true);
    return intent.type === 'type' || intent.type === 'erase' || intent.type === 'field' || intent.type === 'problem'
      ? dialogReducer(s, intent)
      : s;
  };
  const typeText = (s: DialogState, text: string) => [...text].reduce((acc, ch) => press(acc, ch), s);

  it('is opened with r on a plain action, typed, and goes with y', () => {
    let s = press(open(preview), 'r');
    expect(s).toMatchObject({ field: 'reason' });
    s = typeText(s, 'patch ya');
    s = press(s, 'backspace', '');
    s = press(s, 'return', '\r');
    expect(s).toMatchObject({ field: 'confirm', reason: 'patch y' });
    expect(dialogIntent(s, 'y', 'y', true)).toEqual({ type: 'confirm', confirmation: true, reason: 'patch y' });
  });

  it('is reached with tab on a guarded action; the name is kept apart', () => {
    let s = typeText(open(guarded), 'real1');
    s = typeText(press(s, 'tab', ''), 'real2 down');
    s = press(s, 'tab', '');
    expect(s).toMatchObject({ typed: 'real1', reason: 'real2 down', field: 'confirm' });
    expect(dialogIntent(s, 'return', '\r', true)).toEqual({
      type: 'confirm',
      confirmation: 'real1',
      reason: 'real2 down',
    });
  });

  it('is asked first when required, and a confirm without it is refused with a message', () => {
    const required = { ...preview, reasonRequired: true };
    let s = open(required);
    expect(s).toMatchObject({ field: 'reason' });
    s = press(s, 'return', '\r');
    const refused = dialogIntent(s, 'y', 'y', true);
    expect(refused).toMatchObject({ type: 'problem' });
    s = dialogReducer(s, refused as DialogEvent);
    expect(s).toMatchObject({ field: 'reason', problem: expect.stringMatching(/a reason is required/) });
    s = press(typeText(s, 'ticket 4411'), 'return', '\r');
    expect(dialogIntent(s, 'y', 'y', true)).toEqual({ type: 'confirm', confirmation: true, reason: 'ticket 4411' });
  });
});
