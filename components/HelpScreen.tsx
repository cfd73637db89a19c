import { Box, Text } from 'ink';
import { helpLines } from './help-lines.js';
import type { KeyCommand } from './keymap.js';

export interface HelpScreenProps {
  readonly keymap: readonly KeyCommand[];
  readonly readOnly: boolean;
  readonly height: number;
  /** First line shown; clamped so the last page is full. */
  readonly scroll: number;
}

/** Generated from the keymap, so it can never disagree with what the keys do; scrolls with j/k and PgUp/PgDn. */
export function HelpScreen({ keymap, readOnly, height, scroll }: HelpScreenProps) {
  const lines = helpLines(keymap, readOnly);
  const page = Math.max(1, height - 1);
  const top = Math.max(0, Math.min(scroll, lines.length - page));
  const end = Math.min(lines.length, top + page);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {`help ${top + 1}-${end} of ${lines.length} · j/k PgUp/PgDn g/G scroll · esc closes`}
      </Text>
      {lines.slice(top, end).map((l, i) => (
        <Text key={top + i} color={l.color} bold={l.bold} wrap="truncate-end">
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  );
}
