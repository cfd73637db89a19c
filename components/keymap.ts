import type { ViewId } from '../src/render/views.js';

/** A command's data: what the help, the footer and the key handler read (ConsoleCommand adds its handler). */
export interface KeyCommand {
  readonly id: string;
  readonly keys: readonly string[];
  readonly description: string;
  /** Mutates a cluster: dropped from the table in read-only mode (not bound, not listed, no `:` word). */
  readonly dangerous?: boolean;
  /** Views where it applies (all when absent); the footer shows only these. */
  readonly views?: readonly ViewId[];
  /** Shown in the footer (the rest only in help). */
  readonly footer?: boolean;
  /** Words that run it from the `:` line, with an argument (`:weight 0`). */
  readonly words?: readonly string[];
}

/** Read-only mode as one filter over the table: dangerous commands are gone (k9s' ClearDanger). */
export function clearDanger<C extends KeyCommand>(table: readonly C[]): C[] {
  return table.filter((c) => !c.dangerous);
}

/** The table in force: the config's key overrides applied, then read-only's filter. */
export function effectiveKeymap<C extends KeyCommand>(
  table: readonly C[],
  overrides: Readonly<Record<string, readonly string[]>>,
  readOnly: boolean,
): C[] {
  const bound = table.map((c) => (overrides[c.id] ? { ...c, keys: overrides[c.id]! } : c));
  return readOnly ? clearDanger(bound) : bound;
}
