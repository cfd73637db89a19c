import type { ConsolePreview } from '../src/actions/console-contract.js';

/** The action dialog: closed, asking the action layer for a plan, showing it for confirmation, or running it. */
export type DialogState =
  | { readonly phase: 'closed' }
  | { readonly phase: 'planning' }
  | {
      readonly phase: 'confirm' | 'running';
      readonly preview: ConsolePreview;
      readonly token: unknown;
      /** What the operator has typed so far (guarded actions). */
      readonly typed: string;
    };

export type DialogEvent =
  | { readonly type: 'plan' }
  | { readonly type: 'planned'; readonly preview: ConsolePreview; readonly token: unknown }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'erase' }
  | { readonly type: 'run' }
  | { readonly type: 'close' };

export const closedDialog: DialogState = { phase: 'closed' };

export function dialogReducer(state: DialogState, event: DialogEvent): DialogState {
  switch (event.type) {
    case 'plan':
      return state.phase === 'closed' ? { phase: 'planning' } : state;
    case 'planned':
      return state.phase === 'planning'
        ? { phase: 'confirm', preview: event.preview, token: event.token, typed: '' }
        : state;
    case 'type':
      return state.phase === 'confirm' ? { ...state, typed: state.typed + event.text } : state;
    case 'erase':
      return state.phase === 'confirm' ? { ...state, typed: state.typed.slice(0, -1) } : state;
    case 'run':
      return state.phase === 'confirm' ? { ...state, phase: 'running' } : state;
    case 'close':
      return closedDialog;
  }
}

/** What a key does in the confirm phase: a guarded action wants its name typed and enter, any other wants `y`. */
export type DialogIntent =
  | { readonly type: 'cancel' }
  | { readonly type: 'confirm'; readonly confirmation: string | true }
  | Extract<DialogEvent, { type: 'type' | 'erase' }>
  | { readonly type: 'ignore' };

export function dialogIntent(state: DialogState, name: string, input: string, plain: boolean): DialogIntent {
  if (state.phase !== 'confirm') return { type: 'ignore' };
  if (!state.preview.confirmName) return input === 'y' ? { type: 'confirm', confirmation: true } : { type: 'cancel' };
  if (name === 'escape') return { type: 'cancel' };
  if (name === 'return') return { type: 'confirm', confirmation: state.typed };
  if (name === 'backspace') return { type: 'erase' };
  return input && plain ? { type: 'type', text: input } : { type: 'ignore' };
}
