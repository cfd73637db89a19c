import { completeColonLine, splitColonLine } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import { COMMANDS, type ConsoleCommand } from './commands.js';
import { commandFor, commandForWord } from './keymap.js';

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
  if (s.mode === 'help' || s.mode === 'detail') {
    if (CLOSE_KEYS.includes(name)) ctx.dispatch({ type: 'mode', mode: 'normal' });
    return;
  }
  commandFor(table, name, s.view)?.run(ctx);
}
