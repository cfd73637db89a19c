import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { formatAge, formatBytesRate } from '../src/render/format.js';
import { fitTabs, hostCountText, hostCounts } from '../src/render/header-model.js';
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

export function Header({ state, now, cluster, view, width, badge }: HeaderProps) {
  const counts = useMemo(() => {
    const hosts = Object.values(state.hosts);
    const oldest = hosts.reduce<number | undefined>(
      (acc, x) => (x.readAt === undefined ? acc : acc === undefined ? x.readAt : Math.min(acc, x.readAt)),
      undefined,
    );
    return { ...hostCounts(hosts), oldest };
  }, [state.hosts]);
  const h = { ...counts, paused: state.paused, readOnly: state.readOnly, jump: state.jumpHost };
  const clusters = state.clusters;
  const clock = new Date(now).toISOString().slice(11, 19);
  const status = [
    h.paused ? ' PAUSED ' : '',
    h.readOnly ? 'read-only' : '',
    hostCountText(h),
    `data ${formatAge(h.oldest === undefined ? undefined : now - h.oldest)}`,
    badge ?? '',
    clock,
  ].filter(Boolean);
  const statusWidth = status.reduce((a, t) => a + t.length + 1, 0);
  // The jump host's own load only where it fits; the host counts and data age always do.
  const jump =
    h.jump &&
    `here cpu ${Math.round(h.jump.cpuPercent)}% mem ${Math.round(h.jump.memUsedPercent)}%${
      h.jump.rxBytesPerSec === undefined
        ? ''
        : ` net ${formatBytesRate(h.jump.rxBytesPerSec)}/${formatBytesRate(h.jump.txBytesPerSec)}`
    }`;
  const showJump = jump !== undefined && width - statusWidth - jump.length - 1 >= 30;
  // "lvstop" and the gaps around the two boxes take 9 columns.
  const tabRoom = Math.max(12, width - statusWidth - (showJump ? jump.length + 1 : 0) - 9);
  const { tabs, before, after } = fitTabs(
    clusters.map((c) => c.name),
    cluster,
    tabRoom,
  );
  const wideViews = VIEWS.reduce((a, v, i) => a + ` ${i + 1} ${VIEW_TITLES[v]} `.length, 0) <= width;
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
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
        <Box gap={1} flexShrink={0}>
          {h.paused && (
            <Text color="black" backgroundColor="yellow">
              {' PAUSED '}
            </Text>
          )}
          {h.readOnly && <Text color="cyan">read-only</Text>}
          <Text color={h.down > 0 ? 'red' : h.slow > 0 ? 'yellow' : 'green'}>{hostCountText(h)}</Text>
          <Text dimColor>data {formatAge(h.oldest === undefined ? undefined : now - h.oldest)}</Text>
          {showJump && (
            <Text color={h.jump!.cpuPercent > 90 ? 'yellow' : undefined} dimColor={h.jump!.cpuPercent <= 90}>
              {jump}
            </Text>
          )}
          {badge && (
            <Text color="black" backgroundColor="magenta">
              {badge}
            </Text>
          )}
          <Text>{clock}</Text>
        </Box>
      </Box>
      <Text wrap="truncate-end">
        {VIEWS.map((v, i) => (
          <Text key={v} inverse={v === view} color={v === view ? 'cyan' : undefined}>
            {wideViews || v === view ? ` ${i + 1} ${VIEW_TITLES[v]} ` : ` ${i + 1} `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
