import type { ConsolePreview } from '../src/actions/console-contract.js';
import { reasonProblem } from '../src/actions/reason.js';

/** Which line the keys go to: the confirmation (`y`, or the guarded name) or the reason line. */
export type DialogField = 'confirm' | 'reason';

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
      /** Why: one line for the audit log, typed before confirming. */
      readonly reason: string;
      readonly field: DialogField;
      /** Why the last confirm was refused (a required reason missing). */
      readonly problem?: string;
    };

export type DialogEvent =
  | { readonly type: 'plan' }
  | { readonly type: 'planned'; readonly preview: ConsolePreview; readonly token: unknown }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'erase' }
  | { readonly type: 'field'; readonly field: DialogField }
  | { readonly type: 'problem'; readonly text: string }
  | { readonly type: 'run' }
  | { readonly type: 'close' };

export const closedDialog: DialogState = { phase: 'closed' };

type Open = Extract<DialogState, { preview: ConsolePreview }>;

/** Typing and erasing go to the focused line. */
function edit(state: Open, change: (line: string) => string): Open {
  return state.field === 'reason'
    ? { ...state, reason: change(state.reason) }
    : { ...state, typed: change(state.typed) };
}

export function dialogReducer(state: DialogState, event: DialogEvent): DialogState {
  switch (event.type) {
    case 'plan':
      return state.phase === 'closed' ? { phase: 'planning' } : state;
    case 'planned':
      return state.phase === 'planning'
        ? {
            phase: 'confirm',
            preview: event.preview,
            token: event.token,
            typed: '',
            reason: '',
            // A required reason is asked for first.
            field: event.preview.reasonRequired ? 'reason' : 'confirm',
          }
        : state;
    case 'type':
      return state.phase === 'confirm' ? edit(state, (l) => l + event.text) : state;
    case 'erase':
      return state.phase === 'confirm' ? edit(state, (l) => l.slice(0, -1)) : state;
    case 'field':
      return state.phase === 'confirm' ? { ...state, field: event.field } : state;
    case 'problem':
      return state.phase === 'confirm' ? { ...state, field: 'reason', problem: event.text } : state;
    case 'run':
      return state.phase === 'confirm' ? { ...state, phase: 'running' } : state;
    case 'close':
      return closedDialog;
  }
}

/** What a key does in the confirm phase: a guarded action wants its name typed and enter, any other wants `y`. */
export type DialogIntent =
  | { readonly type: 'cancel' }
  | { readonly type: 'confirm'; readonly confirmation: string | true; readonly reason?: string }
  | Extract<DialogEvent, { type: 'type' | 'erase' | 'field' | 'problem' }>
  | { readonly type: 'ignore' };

/** Confirm, unless the reason line is missing (required) or not one clean line. */
function confirmIntent(state: Open, confirmation: string | true): DialogIntent {
  const problem = reasonProblem(state.preview.reasonRequired ?? false, state.reason);
  if (problem) return { type: 'problem', text: problem };
  const reason = state.reason.trim();
  return { type: 'confirm', confirmation, ...(reason ? { reason } : {}) };
}

/** Keys on the reason line: type, erase, enter or tab back to the confirmation, esc cancels. */
function reasonIntent(name: string, input: string, plain: boolean): DialogIntent {
  if (name === 'escape') return { type: 'cancel' };
  if (name === 'return' || name === 'tab') return { type: 'field', field: 'confirm' };
  if (name === 'backspace') return { type: 'erase' };
  return input && plain ? { type: 'type', text: input } : { type: 'ignore' };
}

export function dialogIntent(state: DialogState, name: string, input: string, plain: boolean): DialogIntent {
  if (state.phase !== 'confirm') return { type: 'ignore' };
  if (state.field === 'reason') return reasonIntent(name, input, plain);
  if (name === 'tab' || (!state.preview.confirmName && input === 'r' && plain))
    return { type: 'field', field: 'reason' };
  if (!state.preview.confirmName) return input === 'y' ? confirmIntent(state, true) : { type: 'cancel' };
  if (name === 'escape') return { type: 'cancel' };
  if (name === 'return') return confirmIntent(state, state.typed);
  if (name === 'backspace') return { type: 'erase' };
  return input && plain ? { type: 'type', text: input } : { type: 'ignore' };
}
