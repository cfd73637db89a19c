import { Text } from 'ink';

const BARS = '▁▂▃▄▅▆▇█';

/** Pure: values as block characters scaled to the largest; zeros stay at the floor. */
export function sparkline(values: readonly number[], width: number): string {
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  return tail
    .map((v) => (max <= 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))]))
    .join('');
}

export interface SparklineProps {
  readonly values: readonly number[];
  readonly width: number;
  readonly color?: string;
}

export function Sparkline({ values, width, color }: SparklineProps) {
  return <Text color={color}>{sparkline(values, width).padEnd(width, ' ')}</Text>;
}
