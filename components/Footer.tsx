import { Text } from 'ink';
import type { ViewId } from '../src/render/views.js';
import type { KeyCommand } from './keymap.js';

export interface FooterProps {
  readonly keymap: readonly KeyCommand[];
  readonly view: ViewId;
  readonly width: number;
}

/** Key hints for the focused view, from the keymap. */
export function footerText(keymap: readonly KeyCommand[], view: ViewId): string {
  return keymap
    .filter((c) => c.footer && (!c.views || c.views.includes(view)))
    .map((c) => `${c.keys[0]} ${c.description.split(/[:(]/)[0]!.trim()}`)
    .join(' · ');
}

export function Footer({ keymap, view, width }: FooterProps) {
  return (
    <Text dimColor wrap="truncate-end">
      {footerText(keymap, view).slice(0, width)}
    </Text>
  );
}
