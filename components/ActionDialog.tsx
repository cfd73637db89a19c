import { Box, Text } from 'ink';
import type { ConsolePreview } from '../src/actions/console-contract.js';

export interface ActionDialogProps {
  readonly preview: ConsolePreview;
  /** What the operator has typed so far (guarded actions). */
  readonly typed: string;
  readonly busy: boolean;
  readonly width: number;
}

/** The exact commands first, then what must be typed to go ahead. */
export function ActionDialog({ preview, typed, busy, width }: ActionDialogProps) {
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={preview.confirmName ? 'red' : 'yellow'}
      width={Math.min(width, 110)}
    >
      <Text bold>{preview.title}</Text>
      {preview.lines.map((l, i) => (
        <Text key={`l${i}`} wrap="truncate-end">
          {l}
        </Text>
      ))}
      {preview.warnings.map((w, i) => (
        <Text key={`w${i}`} color="yellow" wrap="wrap">
          ! {w}
        </Text>
      ))}
      {preview.guardReason && (
        <Text color="red" wrap="wrap">
          GUARD: {preview.guardReason}
        </Text>
      )}
      {busy ? (
        <Text color="cyan">running…</Text>
      ) : preview.confirmName ? (
        <Text>
          type <Text bold>{preview.confirmName}</Text> and enter to override, esc to cancel: {typed}
          <Text inverse> </Text>
        </Text>
      ) : (
        <Text>
          <Text bold>y</Text> to run, any other key cancels
        </Text>
      )}
    </Box>
  );
}
