import { completeColonLine, splitColonLine } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import { COMMANDS, type ConsoleCommand } from './commands.js';
import { helpLines } from './help-lines.js';
import type { KeyCommand } from './keymap.js';
import type { ViewId } from '../src/render/views.js';

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
