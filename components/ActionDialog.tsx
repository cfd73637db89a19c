import { Box, Text } from 'ink';
import type { ConsolePreview } from '../src/actions/console-contract.js';
import type { DialogField } from './action-dialog-state.js';

export interface ActionDialogProps {
  readonly preview: ConsolePreview;
  /** What the operator has typed so far (guarded actions). */
  readonly typed: string;
  /** The reason line, which line the keys go to, and why a confirm was refused. */
  readonly reason?: string;
  readonly field?: DialogField;
  readonly problem?: string;
  readonly busy: boolean;
  readonly width: number;
}

const Cursor = () => <Text inverse> </Text>;

/** The reason line: typed into when focused, else how to reach it. */
function ReasonLine({ preview, reason, field }: Pick<ActionDialogProps, 'preview' | 'reason' | 'field'>) {
  const label = preview.reasonRequired ? 'reason (required)' : 'reason';
  if (field === 'reason')
    return (
      <Text>
        {label}, enter when done: {reason}
        <Cursor />
      </Text>
    );
  const how = preview.confirmName ? 'tab' : 'r';
  return (
    <Text dimColor={!reason}>
      {label}: {reason || `none (${how} to type one)`}
    </Text>
  );
}

/** The exact commands first, then the reason line and what must be typed to go ahead. */
export function ActionDialog({ preview, typed, reason = '', field, problem, busy, width }: ActionDialogProps) {
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
      {!busy && <ReasonLine preview={preview} reason={reason} field={field} />}
      {problem && !busy && <Text color="red">{problem}</Text>}
      {busy ? (
        <Text color="cyan">running…</Text>
      ) : field === 'reason' ? null : preview.confirmName ? (
        <Text>
          type <Text bold>{preview.confirmName}</Text> and enter to override, esc to cancel: {typed}
          <Cursor />
        </Text>
      ) : (
        <Text>
          <Text bold>y</Text> to run, any other key cancels
        </Text>
      )}
    </Box>
  );
}
