import type { WeightValue } from '../src/actions/console-contract.js';
import { KNOWN_SCHEDULERS } from '../src/actions/schedulers.js';
import { VIEWS, type ViewId } from '../src/render/views.js';
import type { KeyCommand } from './keymap.js';

/** An argument parsed, or why not: the message the operator sees. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** `:word rest of line` → the word and its argument. */
export function splitColonLine(text: string): { readonly word: string; readonly arg: string } {
  const [word = '', ...args] = text.trim().split(/\s+/);
  return { word, arg: args.join(' ') };
}

export function parseViewArg(arg: string): Parsed<ViewId> {
  const view = VIEWS.find((v) => v === arg || v.startsWith(arg || '\0'));
  return view ? ok(view) : fail(`unknown view "${arg}" (${VIEWS.join(', ')})`);
}

export function parseClusterArg(arg: string, clusters: readonly string[]): Parsed<string> {
  const name = clusters.find((c) => c === arg) ?? clusters.find((c) => c.startsWith(arg || '\0'));
  return name ? ok(name) : fail(`unknown cluster "${arg}" (${clusters.join(', ')})`);
}

/** Weight: integers 0..65535, `+1`, `-1`, `drain` or `restore`. */
export function parseWeightArg(arg: string): Parsed<WeightValue> {
  if (arg === 'drain' || arg === 'restore' || arg === '+1' || arg === '-1') return ok(arg);
  if (!/^\d+$/.test(arg) || Number(arg) > 65535) return fail(`weight must be an integer 0..65535, got "${arg}"`);
  return ok(Number(arg));
}

export function parseSchedulerArg(arg: string): Parsed<string> {
  return (KNOWN_SCHEDULERS as readonly string[]).includes(arg)
    ? ok(arg)
    : fail(`unknown scheduler "${arg}" (${KNOWN_SCHEDULERS.join(' ')})`);
}

/** A column number from 1, or `none`/nothing for no sort; the value is the column index. */
export function parseSortArg(arg: string): Parsed<number | undefined> {
  if (arg === '' || arg === 'none') return ok(undefined);
  return /^\d+$/.test(arg) && Number(arg) >= 1 ? ok(Number(arg) - 1) : fail('sort takes a column number from 1');
}

export const SCHEDULER_WORDS: readonly string[] = KNOWN_SCHEDULERS;

/** Complete the last word: a command's first word, then the candidates that command offers for its argument. */
export function completeColonLine(
  text: string,
  table: readonly (KeyCommand & { readonly complete?: (clusters: readonly string[]) => readonly string[] })[],
  clusters: readonly string[],
): string {
  const parts = text.split(' ');
  const candidates =
    parts.length <= 1
      ? table.flatMap((c) => (c.words ? [c.words[0]!] : []))
      : [...(table.find((c) => c.words?.includes(parts[0]!))?.complete?.(clusters) ?? [])];
  const last = parts[parts.length - 1] ?? '';
  const matches = candidates.filter((c) => c.startsWith(last));
  if (matches.length === 0) return text;
  let common = matches[0]!;
  for (const m of matches) while (!m.startsWith(common)) common = common.slice(0, -1);
  const completed = matches.length === 1 ? `${matches[0]!} ` : common;
  return [...parts.slice(0, -1), completed].join(' ');
}
