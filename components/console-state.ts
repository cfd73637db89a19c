import type { DetailTarget } from '../src/render/table-model.js';
import { VIEWS, type ViewId } from '../src/render/views.js';

/** What keys go to: the table, a line being typed, or a pane that any close key shuts (the action dialog owns itself). */
export type Mode = 'normal' | 'filter' | 'command' | 'help' | 'detail';

export interface ConsoleState {
  readonly view: ViewId;
  readonly clusterIndex: number;
  /** Selected row id per view: selection follows the row, not its index. */
  readonly selected: Readonly<Partial<Record<ViewId, string>>>;
  readonly offset: Readonly<Partial<Record<ViewId, number>>>;
  readonly filter: string;
  readonly sortColumn?: number;
  readonly reverse: boolean;
  readonly tagged: readonly string[];
  readonly mode: Mode;
  /** Text being typed in filter or command mode. */
  readonly input: string;
  readonly detail?: DetailTarget;
  /** First line of the help pane on screen. */
  readonly paneScroll: number;
  readonly message?: { readonly text: string; readonly tone: 'ok' | 'warn' | 'critical' | 'normal' };
}

export const initialConsoleState: ConsoleState = {
  view: 'services',
  clusterIndex: 0,
  selected: {},
  offset: {},
  filter: '',
  reverse: false,
  tagged: [],
  mode: 'normal',
  input: '',
  paneScroll: 0,
};

export type ConsoleAction =
  | { type: 'view'; view: ViewId }
  | { type: 'view-step'; by: 1 | -1 }
  | { type: 'cluster'; index: number }
  | { type: 'select'; id: string | undefined; offset: number }
  | { type: 'mode'; mode: Mode; input?: string }
  | { type: 'input'; input: string }
  | { type: 'set-filter'; filter: string }
  | { type: 'sort-next'; columns: number }
  | { type: 'sort-column'; column: number | undefined }
  | { type: 'reverse' }
  | { type: 'toggle-tag'; id: string }
  | { type: 'clear-tags' }
  | { type: 'detail'; detail: DetailTarget }
  | { type: 'message'; text: string; tone: 'ok' | 'warn' | 'critical' | 'normal' }
  | { type: 'clear-message' }
  | { type: 'pane-scroll'; to: number };

export function consoleReducer(state: ConsoleState, action: ConsoleAction): ConsoleState {
  switch (action.type) {
    case 'view':
      return { ...state, view: action.view, mode: 'normal', sortColumn: undefined, reverse: false };
    case 'view-step': {
      const i = VIEWS.indexOf(state.view);
      return consoleReducer(state, { type: 'view', view: VIEWS[(i + action.by + VIEWS.length) % VIEWS.length]! });
    }
    case 'cluster':
      return { ...state, clusterIndex: action.index, tagged: [] };
    case 'select':
      return {
        ...state,
        selected: { ...state.selected, [state.view]: action.id },
        offset: { ...state.offset, [state.view]: action.offset },
      };
    case 'mode':
      return { ...state, mode: action.mode, input: action.input ?? '', paneScroll: 0 };
    case 'pane-scroll':
      return { ...state, paneScroll: Math.max(0, action.to) };
    case 'input':
      return { ...state, input: action.input };
    case 'set-filter':
      return { ...state, filter: action.filter, mode: 'normal', input: '' };
    case 'sort-next':
      return {
        ...state,
        sortColumn:
          state.sortColumn === undefined
            ? 0
            : state.sortColumn + 1 >= action.columns
              ? undefined
              : state.sortColumn + 1,
      };
    case 'sort-column':
      return { ...state, sortColumn: action.column };
    case 'reverse':
      return { ...state, reverse: !state.reverse };
    case 'toggle-tag':
      return {
        ...state,
        tagged: state.tagged.includes(action.id)
          ? state.tagged.filter((t) => t !== action.id)
          : [...state.tagged, action.id],
      };
    case 'clear-tags':
      return { ...state, tagged: [] };
    case 'detail':
      return { ...state, mode: 'detail', detail: action.detail };
    case 'message':
      return { ...state, message: { text: action.text, tone: action.tone } };
    case 'clear-message': {
      const { message: _m, ...rest } = state;
      return rest;
    }
  }
}
