import type { CommandContext } from './command-context.js';
import type { KeyCommand } from './keymap.js';

/** A command: its data (keys, `:` words, description, danger, views) and its handler, in one place. */
export interface ConsoleCommand extends KeyCommand {
  /** Runs it: `arg` is undefined from a key, the rest of the line from `:`. */
  readonly run: (ctx: CommandContext, arg?: string) => void;
  /** Candidates for completing its `:` argument. */
  readonly complete?: (clusters: readonly string[]) => readonly string[];
}
