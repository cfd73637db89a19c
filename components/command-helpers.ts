import type { Parsed } from './colon-command.js';
import type { CommandContext } from './command-context.js';
import { moveSelection } from './layout.js';

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
