import { Box, Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { formatAge } from './format.js';
import { useLvs } from './store-context.js';

export interface HeaderProps {
  /** Current time, so the age of the data ticks even between polls. */
  readonly now: number;
  /** Name of the cluster in focus. */
  readonly cluster: string;
}

export function Header({ now, cluster }: HeaderProps) {
  const counts = useLvs(
    useShallow((s) => {
      const hosts = Object.values(s.hosts);
      const oldest = hosts.reduce<number | undefined>((acc, h) => (h.readAt === undefined ? acc : acc === undefined ? h.readAt : Math.min(acc, h.readAt)), undefined);
      return {
        up: hosts.filter((h) => h.status === 'up').length,
        down: hosts.filter((h) => h.status === 'down').length,
        total: hosts.length,
        oldest,
        paused: s.paused,
        readOnly: s.readOnly,
        clusters: s.clusters.map((c) => c.name),
      };
    }),
  );
  return (
    <Box justifyContent="space-between">
      <Box gap={1}>
        <Text bold>lvstop</Text>
        {counts.clusters.map((name) => (
          <Text key={name} inverse={name === cluster}>
            {` ${name} `}
          </Text>
        ))}
      </Box>
      <Box gap={1}>
        {counts.paused && <Text color="yellow">PAUSED</Text>}
        {counts.readOnly && <Text color="cyan">read-only</Text>}
        <Text color={counts.down > 0 ? 'red' : 'green'}>
          hosts {counts.up}/{counts.total} up{counts.down > 0 ? `, ${counts.down} down` : ''}
        </Text>
        <Text dimColor>oldest data {formatAge(counts.oldest === undefined ? undefined : now - counts.oldest)}</Text>
      </Box>
    </Box>
  );
}
