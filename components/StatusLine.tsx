import { Text } from 'ink';
import type { ConsoleState } from './console-state.js';

export interface StatusLineProps {
  readonly ui: ConsoleState;
  /** Rows on screen after the filter. */
  readonly rowCount: number;
}

const toneColor = { ok: 'green', warn: 'yellow', critical: 'red', normal: undefined } as const;

/** The line being typed (filter or `:`), else the last message, else the filter, tags and row count. */
export function StatusLine({ ui, rowCount }: StatusLineProps) {
  if (ui.mode === 'filter' || ui.mode === 'command')
    return (
      <Text>
        {ui.mode === 'filter' ? '/' : ':'}
        {ui.input}
        <Text inverse> </Text>
      </Text>
    );
  if (ui.message)
    return (
      <Text color={toneColor[ui.message.tone]} wrap="truncate-end">
        {ui.message.text}
      </Text>
    );
  return (
    <Text dimColor wrap="truncate-end">
      {ui.filter ? `filter /${ui.filter}/ (esc clears) · ` : ''}
      {ui.tagged.length > 0 ? `${ui.tagged.length} tagged · ` : ''}
      {rowCount} rows
    </Text>
  );
}
