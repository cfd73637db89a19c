import { Box, Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import type { HostRuntime } from '../src/store/store-types.js';
import { useLvs } from './store-context.js';

export interface HostProblemsProps {
  /** Hosts to report on (those of the cluster in focus). */
  readonly hosts: readonly string[];
}

/** One line per host that is down or failing: its error kind and message. */
export function HostProblems({ hosts }: HostProblemsProps) {
  const failing = useLvs(
    useShallow((s) => hosts.map((h) => s.hosts[h]).filter((h): h is HostRuntime => h !== undefined && h.status === 'down' && h.error !== undefined)),
  );
  if (failing.length === 0) return null;
  return (
    <Box flexDirection="column">
      {failing.map((h) => (
        <Text key={h.name} color="red" wrap="truncate-end">
          ✖ {h.name} {h.error?.kind}: {h.error?.message}
        </Text>
      ))}
    </Box>
  );
}
