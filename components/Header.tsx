import { Box, Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { formatAge, formatBytesRate } from '../src/render/format.js';
import { VIEW_TITLES, VIEWS, type ViewId } from '../src/render/views.js';
import { useLvs } from './store-context.js';

export interface HeaderProps {
  /** Current time, so ages tick between polls. */
  readonly now: number;
  readonly cluster: string;
  readonly view: ViewId;
  readonly width: number;
}

export function Header({ now, cluster, view, width }: HeaderProps) {
  const h = useLvs(
    useShallow((s) => {
      const hosts = Object.values(s.hosts);
      const oldest = hosts.reduce<number | undefined>(
        (acc, x) => (x.readAt === undefined ? acc : acc === undefined ? x.readAt : Math.min(acc, x.readAt)),
        undefined,
      );
      return {
        up: hosts.filter((x) => x.status === 'up').length,
        down: hosts.filter((x) => x.status === 'down').length,
        total: hosts.length,
        oldest,
        paused: s.paused,
        readOnly: s.readOnly,
        jump: s.jumpHost,
      };
    }),
  );
  const clusters = useLvs((s) => s.clusters);
  const clock = new Date(now).toISOString().slice(11, 19);
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
        <Box gap={1}>
          <Text bold>lvstop</Text>
          {clusters.map(({ name }) => (
            <Text key={name} inverse={name === cluster}>{` ${name} `}</Text>
          ))}
        </Box>
        <Box gap={1}>
          {h.paused && (
            <Text color="black" backgroundColor="yellow">
              {' PAUSED '}
            </Text>
          )}
          {h.readOnly && <Text color="cyan">read-only</Text>}
          <Text color={h.down > 0 ? 'red' : 'green'}>
            {h.up}/{h.total} up
          </Text>
          <Text dimColor>data {formatAge(h.oldest === undefined ? undefined : now - h.oldest)}</Text>
          {h.jump && (
            <Text color={h.jump.cpuPercent > 90 ? 'yellow' : undefined} dimColor={h.jump.cpuPercent <= 90}>
              {`here cpu ${Math.round(h.jump.cpuPercent)}% mem ${Math.round(h.jump.memUsedPercent)}%`}
              {h.jump.rxBytesPerSec === undefined
                ? ''
                : ` net ${formatBytesRate(h.jump.rxBytesPerSec)}/${formatBytesRate(h.jump.txBytesPerSec)}`}
            </Text>
          )}
          <Text>{clock}</Text>
        </Box>
      </Box>
      <Text wrap="truncate-end">
        {VIEWS.map((v, i) => (
          <Text
            key={v}
            inverse={v === view}
            color={v === view ? 'cyan' : undefined}
          >{` ${i + 1} ${VIEW_TITLES[v]} `}</Text>
        ))}
      </Text>
    </Box>
  );
}
