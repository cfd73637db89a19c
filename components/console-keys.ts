/** Console keys: Ink's input named one key at a time, then routed by mode to the command the key is bound to. */
import { useInput, type Key } from 'ink';
import { useRef } from 'react';
import { completeColonLine, splitColonLine } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import { COMMANDS, type ConsoleCommand } from './commands.js';
import { helpLines } from './help-lines.js';
import type { KeyCommand } from './keymap.js';
import type { ViewId } from '../src/render/views.js';

/** Ink's (input, key) as one name: `j`, `G`, `ctrl+c`, `return`, `shift+tab`, `space`. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if ((key as { home?: boolean }).home) return 'home';
  if ((key as { end?: boolean }).end) return 'end';
  if (key.ctrl && input) return `ctrl+${input}`;
  if (input === ' ') return 'space';
  return input;
}

/** The Key Ink would have reported had this character arrived alone. */
function charKey(ch: string, base: Key): Key {
  return { ...base, return: ch === '\r' || ch === '\n', backspace: ch === '\u007f' || ch === '\b', tab: ch === '\t' };
}

/** One key: its name (`j`, `return`, `ctrl+c`), the text it types, and whether it is plain text (no ctrl/meta). */
export type KeyHandler = (name: string, input: string, plain: boolean) => void;

/**
 * Keys one by one. Keys that arrive together (a slow link, type-ahead, tmux) come from Ink as one string: they are
 * taken one at a time, with Enter, Backspace and Tab inside the string recognised, so "text⏎" typed into the filter
 * is the text, then Enter.
 */
export function useKeys(handler: KeyHandler, options: { readonly isActive?: boolean } = {}): void {
  // The handler of the latest render, even before Ink re-subscribes after it: a key right after a frame sees it.
  const latest = useRef(handler);
  latest.current = handler;
  useInput(
    (input, key) => {
      const plain = !key.ctrl && !key.meta;
      if (input.length > 1 && !input.startsWith('\u001b') && plain) {
        for (const ch of input) {
          const k = charKey(ch, key);
          latest.current(keyName(ch, k), ch, true);
        }
      } else latest.current(keyName(input, key), input, plain);
    },
    { isActive: options.isActive ?? true },
  );
}

/** Run a `:` line through the table in force; a word only read-only mode took away says so. */
export function runColonLine(table: readonly ConsoleCommand[], ctx: CommandContext, text: string): void {
  const { word, arg } = splitColonLine(text);
  const command = commandForWord(table, word);
  if (command) return command.run(ctx, arg);
  if (commandForWord(COMMANDS, word))
    return ctx.dispatch({ type: 'message', text: 'read-only: actions are disabled', tone: 'warn' });
  const words = table.flatMap((c) => (c.words ? [c.words[0]!] : []));
  ctx.dispatch({ type: 'message', text: `unknown command "${word}" (${words.join(', ')})`, tone: 'critical' });
}

/** A key while a filter or a `:` line is being typed. */
function editLine(table: readonly ConsoleCommand[], ctx: CommandContext, name: string, input: string, plain: boolean) {
  const s = ctx.state();
  if (name === 'escape') ctx.dispatch({ type: 'mode', mode: 'normal' });
  else if (name === 'return') {
    if (s.mode === 'filter') ctx.dispatch({ type: 'set-filter', filter: s.input });
    else {
      ctx.dispatch({ type: 'mode', mode: 'normal' });
      runColonLine(table, ctx, s.input);
    }
  } else if (name === 'backspace') ctx.dispatch({ type: 'input', input: s.input.slice(0, -1) });
  else if (name === 'tab' && s.mode === 'command')
    ctx.dispatch({ type: 'input', input: completeColonLine(s.input, table, ctx.clusters) });
  else if (input && plain) ctx.dispatch({ type: 'input', input: s.input + input });
}

const CLOSE_KEYS = ['escape', 'q', '?', 'return'];

/** Keys in the help pane: scroll it (clamped to its last page), or close it. */
function scrollHelp(table: readonly ConsoleCommand[], ctx: CommandContext, name: string): void {
  const s = ctx.state();
  if (CLOSE_KEYS.includes(name)) return ctx.dispatch({ type: 'mode', mode: 'normal' });
  const last = Math.max(0, helpLines(table, false).length - ctx.page);
  const at = Math.min(s.paneScroll, last);
  const to: Record<string, number> = {
    j: at + 1,
    down: at + 1,
    k: at - 1,
    up: at - 1,
    pagedown: at + ctx.page,
    space: at + ctx.page,
    pageup: at - ctx.page,
    g: 0,
    home: 0,
    G: last,
    end: last,
  };
  const next = to[name];
  if (next !== undefined) ctx.dispatch({ type: 'pane-scroll', to: Math.min(last, Math.max(0, next)) });
}

/** Route one key by mode: typing a line, closing help or detail, or the command the key is bound to. */
export function routeConsoleKey(
  table: readonly ConsoleCommand[],
  ctx: CommandContext,
  name: string,
  input: string,
  plain: boolean,
): void {
  const s = ctx.state();
  if (s.mode === 'filter' || s.mode === 'command') return editLine(table, ctx, name, input, plain);
  if (s.mode === 'help') return scrollHelp(table, ctx, name);
  if (s.mode === 'detail') {
    if (CLOSE_KEYS.includes(name)) ctx.dispatch({ type: 'mode', mode: 'normal' });
    return;
  }
  commandFor(table, name, s.view)?.run(ctx);
}

/** The command a key runs in a view, in the table in force. */
export function commandFor<C extends KeyCommand>(table: readonly C[], name: string, view: ViewId): C | undefined {
  return table.find((c) => c.keys.includes(name) && (!c.views || c.views.includes(view)));
}

export function commandForWord<C extends KeyCommand>(table: readonly C[], word: string): C | undefined {
  return table.find((c) => c.words?.includes(word));
}
