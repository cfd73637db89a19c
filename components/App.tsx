import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { LvsState } from '../src/store/lvs-store.js';
import { ActionDialog } from './ActionDialog.js';
import { alertLines } from './alert-lines.js';
import { AlertBanner } from './AlertBanner.js';
import { auditRows } from './audit-rows.js';
import { completeColonCommand, parseColonCommand } from './colon-command.js';
import type { ActionPreview, ActionRequest, ConsoleActions } from './console-actions.js';
import { consoleReducer, initialConsoleState, type ConsoleAction, type ConsoleState } from './console-state.js';
import { DetailView } from './DetailView.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
import { commandFor, effectiveKeymap, keyName, VIEWS, type CommandId, type ViewId } from './keymap.js';
import { serviceRows } from './service-rows.js';
import { useLvs } from './store-context.js';
import { Table, tableBodyHeight } from './Table.js';
import { filterRows, scrollOffset, sortRows, type TableSpec } from './table-model.js';
import {
  eventRows,
  hostsViewRows,
  overviewRows,
  replicationViewRows,
  storageViewRows,
  vrrpViewRows,
} from './view-rows.js';

export interface AppProps {
  /** Called when the operator quits; the caller closes every connection. */
  readonly onQuit: () => void;
  readonly onRefresh: () => void;
  readonly onTogglePause: () => void;
  /** Absent in read-only mode or when no action layer is wired. */
  readonly actions?: ConsoleActions;
  /** Key overrides from the config: command id to keys. */
  readonly keyOverrides?: Readonly<Record<string, readonly string[]>>;
  /** Clock for ages; tests pass a fixed one. */
  readonly now?: () => number;
  readonly initialView?: ViewId;
}

export function viewSpec(state: LvsState, view: ViewId, cluster: string, now: number): TableSpec {
  switch (view) {
    case 'overview':
      return overviewRows(state, now);
    case 'services':
      return serviceRows(state, cluster, now);
    case 'vrrp':
      return vrrpViewRows(state, cluster, now);
    case 'replication':
      return replicationViewRows(state, cluster, now);
    case 'storage':
      return storageViewRows(state, cluster, now);
    case 'hosts':
      return hostsViewRows(state, cluster, now);
    case 'events':
      return eventRows(state, cluster);
    case 'audit':
      return auditRows(state);
  }
}

/** The Key Ink would have reported had this character arrived alone. */
function charKey(ch: string, base: Key): Key {
  return { ...base, return: ch === '\r' || ch === '\n', backspace: ch === '\u007f' || ch === '\b', tab: ch === '\t' };
}

interface Dialog {
  readonly preview: ActionPreview;
  readonly token: unknown;
  readonly typed: string;
  readonly busy: boolean;
}

export function App({
  onQuit,
  onRefresh,
  onTogglePause,
  actions,
  keyOverrides = {},
  now = Date.now,
  initialView,
}: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const state = useLvs((s) => s);
  const [committed, dispatchToReact] = useReducer(consoleReducer, {
    ...initialConsoleState,
    view: initialView ?? initialConsoleState.view,
  } as ConsoleState);
  // Keys can arrive faster than React re-renders (a pasted filter, typed-ahead keys): handlers read the state as it
  // is after every action so far, kept here by running the same pure reducer, instead of the last rendered one.
  const uiRef = useRef(committed);
  const u = () => uiRef.current;
  const { view, filter, sortColumn, reverse, clusterIndex } = committed;
  const dispatch = (action: ConsoleAction) => {
    uiRef.current = consoleReducer(uiRef.current, action);
    dispatchToReact(action);
  };
  const [time, setTime] = useState(now());
  const [size, setSize] = useState({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [dialog, setDialog] = useState<Dialog | undefined>();

  useEffect(() => {
    const timer = setInterval(() => setTime(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  useEffect(() => {
    const onResize = () => setSize({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  const readOnly = state.readOnly || !actions;
  const keymap = useMemo(() => effectiveKeymap(keyOverrides, readOnly), [keyOverrides, readOnly]);
  const clusterNames = state.clusters.map((c) => c.name);
  const cluster = clusterNames[clusterIndex] ?? clusterNames[0] ?? '';
  const spec = useMemo(() => viewSpec(state, view, cluster, time), [state, view, cluster, time]);
  const rows = useMemo(
    () => sortRows(filterRows(spec.rows, filter), sortColumn, reverse),
    [spec, filter, sortColumn, reverse],
  );

  // Keep the frame at most rows - 1 high: a frame as tall as the terminal makes Ink clear the screen each update.
  const alerts = useMemo(() => alertLines(state, time), [state, time]);
  const tableHeight = Math.max(3, size.rows - 1 - 2 - alerts.length - 2);
  const body = tableBodyHeight(tableHeight);
  const selectedId =
    committed.selected[view] && rows.some((r) => r.id === committed.selected[view])
      ? committed.selected[view]
      : rows[0]?.id;
  const selectedIndex = Math.max(
    0,
    rows.findIndex((r) => r.id === selectedId),
  );
  const offset = scrollOffset(selectedIndex, committed.offset[view] ?? 0, body, rows.length);
  const selectedRow = rows[selectedIndex];

  /** The selection as of every key so far (not only the last render), as an index into the rows on screen. */
  const currentIndex = () => {
    const i = rows.findIndex((r) => r.id === u().selected[view]);
    return i >= 0 ? i : selectedIndex;
  };
  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    const from = u().offset[view] ?? offset;
    dispatch({ type: 'select', id: rows[i]?.id, offset: scrollOffset(i, from, body, rows.length) });
  };

  const startAction = (request: ActionRequest) => {
    if (!actions || readOnly) {
      dispatch({ type: 'message', text: 'read-only: actions are disabled', tone: 'warn' });
      return;
    }
    dispatch({ type: 'message', text: 'planning…', tone: 'normal' });
    void actions.plan(request).then((outcome) => {
      if (!outcome.ok) dispatch({ type: 'message', text: outcome.message, tone: 'critical' });
      else {
        dispatch({ type: 'clear-message' });
        setDialog({ preview: outcome.preview, token: outcome.token, typed: '', busy: false });
        dispatch({ type: 'mode', mode: 'dialog' });
      }
    });
  };

  const runDialog = (confirmation: string | true) => {
    if (!dialog || !actions) return;
    setDialog({ ...dialog, busy: true });
    void actions.run(dialog.token, confirmation).then((r) => {
      setDialog(undefined);
      dispatch({ type: 'mode', mode: 'normal' });
      dispatch({ type: 'message', text: r.message, tone: r.ok ? 'ok' : 'critical' });
    });
  };

  const weightTargets = (): string[] => {
    const tagged = u().tagged.filter((t) => t.split('|').length === 3);
    if (tagged.length > 0) return tagged;
    return selectedRow && selectedRow.id.split('|').length === 3 ? [selectedRow.id] : [];
  };

  const weightAction = (value: number | '+1' | '-1' | 'drain' | 'restore') => {
    const targets = weightTargets();
    if (targets.length === 0)
      dispatch({ type: 'message', text: 'select or tag a real server row first', tone: 'warn' });
    else startAction({ kind: 'weight', cluster, targets, value });
  };

  const vrrpTarget = () => {
    const [director, instance] = (selectedRow?.id ?? '').split('/');
    return director && instance ? { director, instance } : undefined;
  };

  const runColon = (text: string) => {
    const cmd = parseColonCommand(text, clusterNames);
    dispatch({ type: 'mode', mode: 'normal' });
    switch (cmd.kind) {
      case 'view':
        return dispatch({ type: 'view', view: cmd.view });
      case 'cluster':
        return dispatch({ type: 'cluster', index: clusterNames.indexOf(cmd.name) });
      case 'filter':
        return dispatch({ type: 'set-filter', filter: cmd.pattern });
      case 'sort':
        return dispatch({ type: 'sort-column', column: cmd.column });
      case 'quit':
        onQuit();
        return exit();
      case 'weight':
        if (readOnly) return dispatch({ type: 'message', text: 'read-only: actions are disabled', tone: 'warn' });
        return weightAction(cmd.value);
      case 'scheduler': {
        if (readOnly) return dispatch({ type: 'message', text: 'read-only: actions are disabled', tone: 'warn' });
        const id = selectedRow?.id.split('|').slice(0, 2).join('|');
        if (!id || !id.includes('|'))
          return dispatch({ type: 'message', text: 'select a service row first', tone: 'warn' });
        return startAction({ kind: 'scheduler', cluster, target: id, scheduler: cmd.name });
      }
      case 'error':
        return dispatch({ type: 'message', text: cmd.message, tone: 'critical' });
    }
  };

  const runCommand = (id: CommandId) => {
    if (id.startsWith('view-')) {
      const view = VIEWS[Number(id.slice(5)) - 1];
      if (view) dispatch({ type: 'view', view });
      return;
    }
    switch (id) {
      case 'quit':
        onQuit();
        return exit();
      case 'help':
        return dispatch({ type: 'mode', mode: 'help' });
      case 'command-line':
        return dispatch({ type: 'mode', mode: 'command' });
      case 'filter':
        return dispatch({ type: 'mode', mode: 'filter', input: u().filter });
      case 'clear':
        dispatch({ type: 'set-filter', filter: '' });
        return dispatch({ type: 'clear-message' });
      case 'down':
        return moveTo(currentIndex() + 1);
      case 'up':
        return moveTo(currentIndex() - 1);
      case 'page-down':
        return moveTo(currentIndex() + body);
      case 'page-up':
        return moveTo(currentIndex() - body);
      case 'top':
        return moveTo(0);
      case 'bottom':
        return moveTo(rows.length - 1);
      case 'next-view':
        return dispatch({ type: 'view-step', by: 1 });
      case 'prev-view':
        return dispatch({ type: 'view-step', by: -1 });
      case 'next-cluster':
        return dispatch({ type: 'cluster', index: (u().clusterIndex + 1) % Math.max(1, clusterNames.length) });
      case 'sort':
        return dispatch({ type: 'sort-next', columns: spec.columns.length });
      case 'reverse':
        return dispatch({ type: 'reverse' });
      case 'tag':
        if (selectedRow) dispatch({ type: 'toggle-tag', id: selectedRow.id });
        return moveTo(currentIndex() + 1);
      case 'detail':
        if (selectedRow?.detail) dispatch({ type: 'detail', key: selectedRow.detail.key });
        return;
      case 'pause':
        return onTogglePause();
      case 'refresh':
        dispatch({ type: 'message', text: 'refreshing…', tone: 'normal' });
        return onRefresh();
      case 'weight':
        return dispatch({ type: 'mode', mode: 'command', input: 'weight ' });
      case 'scheduler':
        return dispatch({ type: 'mode', mode: 'command', input: 'scheduler ' });
      case 'weight-up':
        return weightAction('+1');
      case 'weight-down':
        return weightAction('-1');
      case 'drain':
        return weightAction('drain');
      case 'restore':
        return weightAction('restore');
      case 'force-master':
      case 'force-backup': {
        const t = vrrpTarget();
        if (!t) return dispatch({ type: 'message', text: 'select a director row first', tone: 'warn' });
        return startAction({ kind: 'failover', cluster, ...t, to: id === 'force-master' ? 'MASTER' : 'BACKUP' });
      }
      case 'release': {
        const t = vrrpTarget();
        if (!t) return dispatch({ type: 'message', text: 'select a director row first', tone: 'warn' });
        return startAction({ kind: 'release', cluster, ...t });
      }
      case 'undo':
        return startAction({ kind: 'undo' });
    }
  };

  const handleKey = (input: string, key: Key) => {
    const name = keyName(input, key);
    if (u().mode === 'dialog' && dialog) {
      if (dialog.busy) return;
      if (dialog.preview.confirmName) {
        if (name === 'escape') {
          setDialog(undefined);
          dispatch({ type: 'mode', mode: 'normal' });
          dispatch({ type: 'message', text: 'cancelled', tone: 'warn' });
        } else if (name === 'return') runDialog(dialog.typed);
        else if (name === 'backspace') setDialog({ ...dialog, typed: dialog.typed.slice(0, -1) });
        else if (input && !key.ctrl && !key.meta) setDialog({ ...dialog, typed: dialog.typed + input });
        return;
      }
      if (input === 'y') runDialog(true);
      else {
        setDialog(undefined);
        dispatch({ type: 'mode', mode: 'normal' });
        dispatch({ type: 'message', text: 'cancelled', tone: 'warn' });
      }
      return;
    }
    if (u().mode === 'filter' || u().mode === 'command') {
      if (name === 'escape') dispatch({ type: 'mode', mode: 'normal' });
      else if (name === 'return') {
        if (u().mode === 'filter') dispatch({ type: 'set-filter', filter: u().input });
        else runColon(u().input);
      } else if (name === 'backspace') dispatch({ type: 'input', input: u().input.slice(0, -1) });
      else if (name === 'tab' && u().mode === 'command')
        dispatch({ type: 'input', input: completeColonCommand(u().input, clusterNames) });
      else if (input && !key.ctrl && !key.meta) dispatch({ type: 'input', input: u().input + input });
      return;
    }
    if (u().mode === 'help' || u().mode === 'detail') {
      if (name === 'escape' || name === 'q' || name === '?' || name === 'return')
        dispatch({ type: 'mode', mode: 'normal' });
      return;
    }
    const command = commandFor(keymap, name, u().view);
    if (command) runCommand(command.id);
  };

  useInput((input, key) => {
    // Keys that arrive together (a slow link, type-ahead, tmux) come as one string: take them one by one, with
    // Enter, Backspace and Tab inside the string recognised, so "text⏎" in the filter is text, then Enter.
    if (input.length > 1 && !input.startsWith('\u001b') && !key.ctrl && !key.meta) {
      for (const ch of input) handleKey(ch, charKey(ch, key));
    } else handleKey(input, key);
  });

  const ui = u();
  const width = size.columns;
  const detailKind = ui.detailKey?.includes('|') ? 'service' : 'real-server';
  return (
    <Box flexDirection="column" width={width}>
      <Header now={time} cluster={cluster} view={ui.view} width={width} />
      <AlertBanner lines={alerts} width={width} />
      {ui.mode === 'help' ? (
        <HelpScreen keymap={keymap} readOnly={readOnly} height={tableHeight} />
      ) : ui.mode === 'detail' && ui.detailKey ? (
        <DetailView detailKey={ui.detailKey} kind={detailKind} width={width} height={tableHeight} />
      ) : ui.mode === 'dialog' && dialog ? (
        <ActionDialog preview={dialog.preview} typed={dialog.typed} busy={dialog.busy} width={width} />
      ) : (
        <Table
          spec={spec}
          rows={rows}
          selectedId={selectedId}
          offset={offset}
          height={tableHeight}
          width={width}
          tagged={ui.tagged}
          staleAfterMs={state.pollIntervalMs * 2}
          {...(ui.sortColumn === undefined ? {} : { sortColumn: ui.sortColumn })}
          reverse={ui.reverse}
        />
      )}
      {ui.mode === 'filter' || ui.mode === 'command' ? (
        <Text>
          {ui.mode === 'filter' ? '/' : ':'}
          {ui.input}
          <Text inverse> </Text>
        </Text>
      ) : ui.message ? (
        <Text
          color={
            ui.message.tone === 'ok'
              ? 'green'
              : ui.message.tone === 'warn'
                ? 'yellow'
                : ui.message.tone === 'critical'
                  ? 'red'
                  : undefined
          }
          wrap="truncate-end"
        >
          {ui.message.text}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {ui.filter ? `filter /${ui.filter}/ (esc clears) · ` : ''}
          {ui.tagged.length > 0 ? `${ui.tagged.length} tagged · ` : ''}
          {rows.length} rows
        </Text>
      )}
      <Footer keymap={keymap} view={ui.view} width={width} />
    </Box>
  );
}
