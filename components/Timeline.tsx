import { Box, Text } from 'ink';
import { useSyncExternalStore } from 'react';
import type { ReplayControls } from './replay-commands.js';

export interface TimelineProps {
  /** The replay whose position, speed and play state the line shows. */
  readonly replay: ReplayControls;
  readonly width: number;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** One line: play state and speed, the recorded time, where it is in the recording, and the replay's keys. */
export function Timeline({ replay, width }: TimelineProps) {
  const s = useSyncExternalStore(replay.subscribe, replay.status);
  const keys = ' p play  < > speed  [ ] event  { } alert  :at TIME';
  const head = `${s.playing ? '▶' : '⏸'} ×${s.speed} ${new Date(s.position).toISOString().slice(0, 19)}Z `;
  const span = ` ${clock(s.start)}–${clock(s.end)}`;
  const bar = Math.max(0, width - head.length - span.length - keys.length - 2);
  const filled = s.end > s.start ? Math.round(((s.position - s.start) / (s.end - s.start)) * bar) : bar;
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text color="black" backgroundColor="magenta">
          {' REPLAY '}
        </Text>
        <Text> {head}</Text>
        {bar > 0 && <Text color="magenta">{'━'.repeat(Math.min(bar, filled))}</Text>}
        {bar > 0 && <Text dimColor>{'─'.repeat(Math.max(0, bar - filled))}</Text>}
        <Text dimColor>{span}</Text>
        <Text dimColor>{keys}</Text>
      </Text>
    </Box>
  );
}
