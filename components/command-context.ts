import type { ConsoleRequest } from '../src/actions/console-contract.js';
import type { TableRow } from '../src/render/table-model.js';
import type { ConsoleAction, ConsoleState } from './console-state.js';

/** What a command's handler may read and do; App builds it for each key, handlers never see React. */
export interface CommandContext {
  /** The console state as of every key so far (keys can arrive faster than renders). */
  readonly state: () => ConsoleState;
  readonly dispatch: (action: ConsoleAction) => void;
  /** The current view's rows after filter and sort, as on screen. */
  readonly rows: readonly TableRow[];
  /** The current view's rows before the filter (tagged rows may be filtered out of sight). */
  readonly allRows: readonly TableRow[];
  /** Rows per page, for page up and down. */
  readonly page: number;
  /** Columns of the current view, for the sort cycle. */
  readonly columns: number;
  /** Index of the selected row as last rendered, when the state names no row on screen. */
  readonly renderedIndex: number;
  readonly clusters: readonly string[];
  readonly cluster: string;
  readonly startAction: (request: ConsoleRequest) => void;
  readonly quit: () => void;
  readonly refresh: () => void;
  readonly togglePause: () => void;
}
