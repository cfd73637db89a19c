import { useInput, type Key } from 'ink';
import { useRef } from 'react';

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
