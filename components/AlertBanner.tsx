import { Box, Text } from 'ink';
import type { alertLines } from './alert-lines.js';

export interface AlertBannerProps {
  readonly lines: ReturnType<typeof alertLines>;
  readonly width: number;
}

export function AlertBanner({ lines, width }: AlertBannerProps) {
  if (lines.length === 0) return null;
  return (
    <Box flexDirection="column">
      {lines.map((l) => (
        <Text
          key={l.text}
          color={l.loud ? 'white' : 'red'}
          backgroundColor={l.loud ? 'red' : undefined}
          bold
          wrap="truncate-end"
        >
          {` ${l.loud ? '!! ' : ''}${l.text} `.slice(0, width)}
        </Text>
      ))}
    </Box>
  );
}
