import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { fitTabs, headerStatus, hostCounts, oldestReadAt, type HeaderStatus } from '../src/render/header-model.js';
import { VIEW_TITLES, VIEWS, type ViewId } from '../src/render/views.js';
import type { LvsState } from '../src/store/lvs-store.js';

export interface HeaderProps {
  /** The store as of the last data frame (useStoreFrames): the header redraws with the frame, not with every poll. */
  readonly state: LvsState;
  /** Current time, so ages tick between polls. */
  readonly now: number;
  readonly cluster: string;
  readonly view: ViewId;
  readonly width: number;
  /** Shown before the time (REPLAY: the time is the recorded one, not the wall clock). */
  readonly badge?: string;
}

/** Two lines: the cluster tabs with the hosts' status on the right, then the view tabs. */
export function Header({ state, now, cluster, view, width, badge }: HeaderProps) {
  const counts = useMemo(() => {
    const hosts = Object.values(state.hosts);
    return { counts: hostCounts(hosts), oldest: oldestReadAt(hosts) };
  }, [state.hosts]);
  const status = headerStatus({
    ...counts,
    paused: state.paused,
    readOnly: state.readOnly,
    jump: state.jumpHost,
    badge,
    now,
    width,
  });
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
        <ClusterTabs names={state.clusters.map((c) => c.name)} current={cluster} width={status.tabRoom} />
        <HostStatus status={status} />
      </Box>
      <ViewTabs view={view} width={width} />
    </Box>
  );
}

interface ClusterTabsProps {
  readonly names: readonly string[];
  readonly current: string;
  /** The columns the tabs may take. */
  readonly width: number;
}

function ClusterTabs({ names, current, width }: ClusterTabsProps) {
  const { tabs, before, after } = fitTabs(names, current, width);
  return (
    <Box gap={1} flexShrink={1} overflow="hidden">
      <Text bold>lvstop</Text>
      {before > 0 && <Text dimColor>{`‹${before}`}</Text>}
      {tabs.map((t) => (
        <Text key={t.name} inverse={t.current} wrap="truncate-end">
          {t.label}
        </Text>
      ))}
      {after > 0 && <Text dimColor>{`${after}›`}</Text>}
    </Box>
  );
}

function HostStatus({ status: s }: { readonly status: HeaderStatus }) {
  return (
    <Box gap={1} flexShrink={0}>
      {s.paused && (
        <Text color="black" backgroundColor="yellow">
          {' PAUSED '}
        </Text>
      )}
      {s.readOnly && <Text color="cyan">read-only</Text>}
      <Text color={s.down ? 'red' : s.slow ? 'yellow' : 'green'}>{s.hosts}</Text>
      <Text dimColor>{s.dataAge}</Text>
      {s.jump && (
        <Text color={s.jump.busy ? 'yellow' : undefined} dimColor={!s.jump.busy}>
          {s.jump.text}
        </Text>
      )}
      {s.badge && (
        <Text color="black" backgroundColor="magenta">
          {s.badge}
        </Text>
      )}
      <Text>{s.clock}</Text>
    </Box>
  );
}

/** The view tabs, numbered as their keys; where all names do not fit, only the current view keeps its name. */
function ViewTabs({ view, width }: { readonly view: ViewId; readonly width: number }) {
  const wide = VIEWS.reduce((a, v, i) => a + ` ${i + 1} ${VIEW_TITLES[v]} `.length, 0) <= width;
  return (
    <Text wrap="truncate-end">
      {VIEWS.map((v, i) => (
        <Text key={v} inverse={v === view} color={v === view ? 'cyan' : undefined}>
          {wide || v === view ? ` ${i + 1} ${VIEW_TITLES[v]} ` : ` ${i + 1} `}
        </Text>
      ))}
    </Text>
  );
}
