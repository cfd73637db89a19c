import type { Parsed } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import type { KeyCommand } from './keymap.js';
import { moveSelection } from './layout.js';

/** A command: its data (keys, `:` words, description, danger, views) and its handler, in one place. */
export interface ConsoleCommand extends KeyCommand {
  /** Runs it: `arg` is undefined from a key, the rest of the line from `:`. */
  readonly run: (ctx: CommandContext, arg?: string) => void;
  /** Candidates for completing its `:` argument. */
  readonly complete?: (clusters: readonly string[]) => readonly string[];
}

export const say = (ctx: CommandContext, text: string, tone: 'ok' | 'warn' | 'critical' | 'normal' = 'warn') =>
  ctx.dispatch({ type: 'message', text, tone });

/** Run `then` with a parsed `:` argument, or show why it did not parse. */
export const withArg = <T>(ctx: CommandContext, parsed: Parsed<T>, then: (value: T) => void) =>
  parsed.ok ? then(parsed.value) : say(ctx, parsed.message, 'critical');

/** The selection as of every key so far, as an index into the rows on screen. */
export function currentIndex(ctx: CommandContext): number {
  const s = ctx.state();
  const i = ctx.rows.findIndex((r) => r.id === s.selected[s.view]);
  return i >= 0 ? i : ctx.renderedIndex;
}

export function moveTo(ctx: CommandContext, index: number): void {
  const s = ctx.state();
  const m = moveSelection(ctx.rows, index, s.offset[s.view] ?? 0, ctx.page);
  ctx.dispatch({ type: 'select', id: m.id, offset: m.offset });
}

export const selectedRow = (ctx: CommandContext) => ctx.rows[currentIndex(ctx)];
