import { Box, Text } from 'ink';
import type { KeyCommand } from './keymap.js';

export interface HelpScreenProps {
  readonly keymap: readonly KeyCommand[];
  readonly readOnly: boolean;
  readonly height: number;
}

/** Generated from the keymap, so it can never disagree with what the keys do. */
export function HelpScreen({ keymap, readOnly, height }: HelpScreenProps) {
  const lines = keymap.filter((c) => !c.id.startsWith('view-'));
  return (
    <Box flexDirection="column">
      <Text bold>Keys{readOnly ? ' (read-only: no mutating keys)' : ''} · 1-8 switch views · esc closes</Text>
      {lines.slice(0, Math.max(1, height - 1)).map((c) => (
        <Text key={c.id} color={c.dangerous ? 'yellow' : undefined} wrap="truncate-end">
          {`${c.keys.join(', ').padEnd(16)} ${c.description}${c.views ? ` [${c.views.join(', ')}]` : ''}${c.dangerous ? ' (changes the cluster)' : ''}`}
        </Text>
      ))}
    </Box>
  );
}
