import type { ActionLayer, ConsoleRequest } from '../src/actions/console-contract.js';
import { closedDialog, dialogIntent, dialogReducer, type DialogState } from './action-dialog-state.js';
import type { ConsoleAction } from './console-state.js';
import { useMirroredReducer } from './use-mirrored-reducer.js';

type Notify = (message: Extract<ConsoleAction, { type: 'message' | 'clear-message' }>) => void;

export interface ActionDialogControl {
  readonly state: DialogState;
  /** Showing a plan or running it: every key goes to the dialog. */
  readonly isOpen: () => boolean;
  /** Ask the action layer for a plan and show it. */
  readonly start: (request: ConsoleRequest) => void;
  readonly handleKey: (name: string, input: string, plain: boolean) => void;
}

/** The action dialog's state and keys: plan, show the exact commands, confirm (y, or the typed name), run. */
export function useActionDialog(actions: ActionLayer | undefined, notify: Notify): ActionDialogControl {
  const [state, current, dispatch] = useMirroredReducer(dialogReducer, closedDialog);
  const close = (text: string, tone: 'ok' | 'warn' | 'critical') => {
    dispatch({ type: 'close' });
    notify({ type: 'message', text, tone });
  };
  const start = (request: ConsoleRequest) => {
    if (!actions) return notify({ type: 'message', text: 'read-only: actions are disabled', tone: 'warn' });
    if (current().phase !== 'closed') return;
    dispatch({ type: 'plan' });
    notify({ type: 'message', text: 'planning…', tone: 'normal' });
    void actions.plan(request).then((outcome) => {
      if (!outcome.ok) return close(outcome.message, 'critical');
      notify({ type: 'clear-message' });
      dispatch({ type: 'planned', preview: outcome.preview, token: outcome.token });
    });
  };
  const handleKey = (name: string, input: string, plain: boolean) => {
    const now = current();
    const intent = dialogIntent(now, name, input, plain);
    if (intent.type === 'cancel') return close('cancelled', 'warn');
    if (intent.type === 'type' || intent.type === 'erase' || intent.type === 'field' || intent.type === 'problem')
      return dispatch(intent);
    if (intent.type !== 'confirm' || now.phase !== 'confirm' || !actions) return;
    dispatch({ type: 'run' });
    void actions
      .run(now.token, intent.confirmation, intent.reason)
      .then((r) => close(r.message, r.ok ? 'ok' : 'critical'));
  };
  return { state, isOpen: () => current().phase === 'confirm' || current().phase === 'running', start, handleKey };
}
