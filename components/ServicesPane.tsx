import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { formatHeader, formatRow, serviceRows, type RowTone } from './service-rows.js';
import { useLvs } from './store-context.js';

export interface ServicesPaneProps {
  readonly cluster: string;
  readonly now: number;
  /** Lines available for the table, header included. */
  readonly height: number;
}

const toneColor: Record<RowTone, string | undefined> = { normal: undefined, dim: 'gray', warn: 'yellow', critical: 'red', heading: 'cyan' };

export function ServicesPane({ cluster, now, height }: ServicesPaneProps) {
  const state = useLvs((s) => s);
  const rows = useMemo(() => serviceRows(state, cluster, now), [state, cluster, now]);
  const visible = rows.slice(0, Math.max(0, height - 1));
  const header = formatHeader();
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {visible.map((row) => (
        <Text key={row.id} color={toneColor[row.tone]} dimColor={row.tone === 'dim'} bold={row.kind === 'director'} wrap="truncate-end">
          {formatRow(row)}
        </Text>
      ))}
      {rows.length > visible.length && <Text dimColor>… {rows.length - visible.length} more rows</Text>}
    </Box>
  );
}
