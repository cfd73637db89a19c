import { KNOWN_SCHEDULERS } from '../collectors/ipvs-schedulers.js';
import { VIEWS, type ViewId } from './keymap.js';

export type ColonCommand =
  | { readonly kind: 'view'; readonly view: ViewId }
  | { readonly kind: 'cluster'; readonly name: string }
  | { readonly kind: 'weight'; readonly value: number | '+1' | '-1' | 'drain' | 'restore' }
  | { readonly kind: 'scheduler'; readonly name: string }
  | { readonly kind: 'filter'; readonly pattern: string }
  | { readonly kind: 'sort'; readonly column: number | undefined }
  | { readonly kind: 'quit' }
  | { readonly kind: 'error'; readonly message: string };

export const COMMAND_WORDS = ['view', 'cluster', 'weight', 'scheduler', 'filter', 'sort', 'quit'] as const;
const SCHEDULERS = KNOWN_SCHEDULERS;

/** Parse what the operator typed after `:`. Weight is validated here too: integers 0..65535 only. */
export function parseColonCommand(text: string, clusters: readonly string[]): ColonCommand {
  const [word = '', ...args] = text.trim().split(/\s+/);
  const arg = args.join(' ');
  switch (word) {
    case 'view':
    case 'v': {
      const view = VIEWS.find((v) => v === arg || v.startsWith(arg || '\0'));
      return view ? { kind: 'view', view } : { kind: 'error', message: `unknown view "${arg}" (${VIEWS.join(', ')})` };
    }
    case 'cluster': {
      const name = clusters.find((c) => c === arg) ?? clusters.find((c) => c.startsWith(arg || '\0'));
      return name
        ? { kind: 'cluster', name }
        : { kind: 'error', message: `unknown cluster "${arg}" (${clusters.join(', ')})` };
    }
    case 'weight':
    case 'w': {
      if (arg === 'drain' || arg === 'restore' || arg === '+1' || arg === '-1') return { kind: 'weight', value: arg };
      if (!/^\d+$/.test(arg) || Number(arg) > 65535)
        return { kind: 'error', message: `weight must be an integer 0..65535, got "${arg}"` };
      return { kind: 'weight', value: Number(arg) };
    }
    case 'scheduler':
    case 'sched':
      return (SCHEDULERS as readonly string[]).includes(arg)
        ? { kind: 'scheduler', name: arg }
        : { kind: 'error', message: `unknown scheduler "${arg}" (${SCHEDULERS.join(' ')})` };
    case 'filter':
      return { kind: 'filter', pattern: arg };
    case 'sort':
      if (arg === '' || arg === 'none') return { kind: 'sort', column: undefined };
      return /^\d+$/.test(arg) && Number(arg) >= 1
        ? { kind: 'sort', column: Number(arg) - 1 }
        : { kind: 'error', message: 'sort takes a column number from 1' };
    case 'q':
    case 'quit':
      return { kind: 'quit' };
    default:
      return { kind: 'error', message: `unknown command "${word}" (${COMMAND_WORDS.join(', ')})` };
  }
}

/** Complete the last word: command words first, then the arguments each command takes. */
export function completeColonCommand(text: string, clusters: readonly string[]): string {
  const parts = text.split(' ');
  const candidates =
    parts.length <= 1
      ? [...COMMAND_WORDS]
      : parts[0] === 'view'
        ? [...VIEWS]
        : parts[0] === 'cluster'
          ? [...clusters]
          : parts[0] === 'scheduler'
            ? [...SCHEDULERS]
            : parts[0] === 'weight'
              ? ['drain', 'restore']
              : [];
  const last = parts[parts.length - 1] ?? '';
  const matches = candidates.filter((c) => c.startsWith(last));
  if (matches.length === 0) return text;
  let common = matches[0]!;
  for (const m of matches) while (!m.startsWith(common)) common = common.slice(0, -1);
  const completed = matches.length === 1 ? `${matches[0]!} ` : common;
  return [...parts.slice(0, -1), completed].join(' ');
}
