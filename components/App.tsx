import { Box, useApp } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import type { ActionLayer } from '../src/actions/console-contract.js';
import { filterRows, sortRows, type TableRow, type TableSpec } from '../src/render/table-model.js';
import { viewSpec } from '../src/render/view-spec.js';
import type { ViewId } from '../src/render/views.js';
import type { LvsState } from '../src/store/lvs-store.js';
import type { DialogState } from './action-dialog-state.js';
import { ActionDialog } from './ActionDialog.js';
import { alertLines } from './alert-lines.js';
import { AlertBanner } from './AlertBanner.js';
import type { CommandContext } from './command-context.js';
import { COMMANDS, type ConsoleCommand } from './commands.js';
import { routeConsoleKey, useKeys } from './console-keys.js';
import { consoleReducer, initialConsoleState, type ConsoleState } from './console-state.js';
import { DetailView } from './DetailView.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
import { effectiveKeymap, type KeyCommand } from './keymap.js';
import { tableBodyHeight, tableHeight, visibleSelection } from './layout.js';
import { StatusLine } from './StatusLine.js';
import { useStoreFrames } from './use-store-frames.js';
import { Table } from './Table.js';
import { useActionDialog } from './use-action-dialog.js';
import { useClock } from './use-clock.js';
import { useMirroredReducer } from './use-mirrored-reducer.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  /** Called when the operator quits; the caller closes every connection. */
  readonly onQuit: () => void;
  readonly onRefresh: () => void;
  readonly onTogglePause: () => void;
  /**
   * The view and cluster on screen, at start and each time either changes: the caller turns them into what its
   * poller, or its serves, read (connectionsInterest).
   */
  readonly onViewShown?: (view: ViewId, cluster: string) => void;
  /** Absent in read-only mode or when no action layer is wired. */
  readonly actions?: ActionLayer;
  /** Key overrides from the config: command id to keys. */
  readonly keyOverrides?: Readonly<Record<string, readonly string[]>>;
  /** Clock for ages; tests pass a fixed one. */
  readonly now?: () => number;
  readonly initialView?: ViewId;
  /** The cluster shown first (`--cluster`). */
  readonly initialCluster?: string;
  /** The row filter set at start (`--filter`). */
  readonly initialFilter?: string;
  /** The command table; the console's own unless a test swaps a handler out to see its test fail. */
  readonly commands?: readonly ConsoleCommand[];
  /** A clock that moves on its own (a replay's recorded time): read whenever it says it moved, not only each second. */
  readonly clock?: { readonly now: () => number; readonly subscribe: (listener: () => void) => () => void };
  /** A word the header shows beside the time (REPLAY). */
  readonly badge?: string;
  /** A line above the status line (a replay's timeline), drawn for the console's width. */
  readonly timeline?: (width: number) => ReactNode;
}

const NO_OVERRIDES = {};

/** The console's own state at start: the view, cluster and filter asked for on the command line. */
function startState(state: LvsState, view?: ViewId, cluster?: string, filter?: string): ConsoleState {
  return {
    ...initialConsoleState,
    view: view ?? initialConsoleState.view,
    clusterIndex: Math.max(
      0,
      state.clusters.findIndex((c) => c.name === cluster),
    ),
    filter: filter ?? '',
  };
}

/** The console: hooks for state, keys, the dialog, size and clock, combined with Box; each job lives in its own file. */
export function App({
  onQuit,
  onRefresh,
  onTogglePause,
  onViewShown,
  actions,
  keyOverrides = NO_OVERRIDES,
  now = Date.now,
  initialView,
  initialCluster,
  initialFilter,
  commands = COMMANDS,
  clock,
  badge,
  timeline,
}: AppProps) {
  const { exit } = useApp();
  const state = useStoreFrames();
  const [ui, current, dispatch] = useMirroredReducer(
    consoleReducer,
    startState(state, initialView, initialCluster, initialFilter),
  );
  const time = useClock(clock?.now ?? now, clock?.subscribe);
  const size = useTerminalSize();
  const dialog = useActionDialog(actions, dispatch);

  const readOnly = state.readOnly || !actions;
  const table = useMemo(() => effectiveKeymap(commands, keyOverrides, readOnly), [commands, keyOverrides, readOnly]);
  const clusters = state.clusters.map((c) => c.name);
  const cluster = clusters[ui.clusterIndex] ?? clusters[0] ?? '';
  const { spec, rows } = useViewRows(state, ui, cluster, time);
  useEffect(() => onViewShown?.(ui.view, cluster), [onViewShown, ui.view, cluster]);
  const alerts = useMemo(() => alertLines(state, time), [state, time]);
  const height = tableHeight(size.rows, alerts.length + (timeline ? 1 : 0));
  const page = tableBodyHeight(height);
  const selection = visibleSelection(rows, ui.selected[ui.view], ui.offset[ui.view] ?? 0, page);

  const ctx: CommandContext = {
    state: current,
    dispatch,
    rows,
    allRows: spec.rows,
    page,
    columns: spec.columns.length,
    renderedIndex: selection.index,
    clusters,
    cluster,
    startAction: dialog.start,
    quit: () => {
      onQuit();
      exit();
    },
    refresh: onRefresh,
    togglePause: onTogglePause,
  };
  useKeys((name, input, plain) =>
    dialog.isOpen() ? dialog.handleKey(name, input, plain) : routeConsoleKey(table, ctx, name, input, plain),
  );

  const width = size.columns;
  return (
    <Box flexDirection="column" width={width}>
      <Header state={state} now={time} cluster={cluster} view={ui.view} width={width} {...(badge ? { badge } : {})} />
      <AlertBanner lines={alerts} width={width} />
      <MainPane
        {...{ state, ui, spec, rows, selection, width, height, time, readOnly }}
        dialog={dialog.state}
        keymap={table}
      />
      {timeline?.(width)}
      <StatusLine ui={ui} rowCount={rows.length} />
      <Footer keymap={table} view={ui.view} width={width} />
    </Box>
  );
}

/** The current view's table, filtered and sorted as the console's state says. */
function useViewRows(state: LvsState, ui: ConsoleState, cluster: string, time: number) {
  const spec = useMemo(() => viewSpec(state, ui.view, cluster, time), [state, ui.view, cluster, time]);
  const rows = useMemo(
    () => sortRows(filterRows(spec.rows, ui.filter), ui.sortColumn, ui.reverse),
    [spec, ui.filter, ui.sortColumn, ui.reverse],
  );
  return { spec, rows };
}

interface MainPaneProps {
  readonly state: LvsState;
  readonly ui: ConsoleState;
  readonly dialog: DialogState;
  readonly keymap: readonly KeyCommand[];
  readonly readOnly: boolean;
  readonly spec: TableSpec;
  /** The view's rows as filtered and sorted. */
  readonly rows: readonly TableRow[];
  readonly selection: { readonly id: string | undefined; readonly offset: number };
  readonly width: number;
  readonly height: number;
  readonly time: number;
}

/** What fills the space between the alerts and the status line: the dialog, the help, a detail or the table. */
function MainPane({
  state,
  ui,
  dialog: d,
  keymap,
  readOnly,
  spec,
  rows,
  selection,
  width,
  height,
  time,
}: MainPaneProps) {
  if (d.phase === 'confirm' || d.phase === 'running')
    return (
      <ActionDialog
        preview={d.preview}
        typed={d.typed}
        reason={d.reason}
        field={d.field}
        {...(d.problem ? { problem: d.problem } : {})}
        busy={d.phase === 'running'}
        width={width}
      />
    );
  if (ui.mode === 'help')
    return <HelpScreen keymap={keymap} readOnly={readOnly} height={height} scroll={ui.paneScroll} />;
  if (ui.mode === 'detail' && ui.detail)
    return <DetailView state={state} detail={ui.detail} width={width} height={height} now={time} />;
  return (
    <Table
      spec={spec}
      rows={rows}
      selectedId={selection.id}
      offset={selection.offset}
      height={height}
      width={width}
      tagged={ui.tagged}
      staleAfterMs={state.pollIntervalMs * 2}
      {...(ui.sortColumn === undefined ? {} : { sortColumn: ui.sortColumn })}
      reverse={ui.reverse}
    />
  );
}
