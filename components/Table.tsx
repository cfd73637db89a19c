import { Box, Text } from 'ink';
import { formatAge } from '../src/render/format.js';
import { formatCells, formatTableRow, type RowTone, type TableRow, type TableSpec } from '../src/render/table-model.js';
import { tableBodyHeight } from './layout.js';

export interface TableProps {
  readonly spec: TableSpec;
  /** Rows after filter and sort. */
  readonly rows: readonly TableRow[];
  readonly selectedId: string | undefined;
  readonly offset: number;
  /** Lines available, header included. */
  readonly height: number;
  readonly width: number;
  readonly tagged: readonly string[];
  /** Rows older than this are dimmed and marked stale. */
  readonly staleAfterMs: number;
  readonly sortColumn?: number;
  readonly reverse?: boolean;
}

export const toneColor: Record<RowTone, string | undefined> = {
  normal: undefined,
  dim: 'gray',
  stale: 'gray',
  ok: 'green',
  warn: 'yellow',
  critical: 'red',
  heading: 'cyan',
};

const AGE_WIDTH = 5;

export function Table({
  spec,
  rows,
  selectedId,
  offset,
  height,
  width,
  tagged,
  staleAfterMs,
  sortColumn,
  reverse,
}: TableProps) {
  const bodyHeight = tableBodyHeight(height);
  const visible = rows.slice(offset, offset + bodyHeight);
  // The sort marker takes the title's last place when the title fills its column, so the header never shifts.
  const titles = spec.columns.map((c, i) =>
    i === sortColumn
      ? `${c.title.length >= c.width ? c.title.slice(0, c.width - 1) : c.title}${reverse ? '▲' : '▼'}`
      : c.title,
  );
  const header = `  ${'AGE'.padEnd(AGE_WIDTH)} ${formatCells(
    spec.columns.map((c, i) => ({ ...c, title: titles[i]! })),
    titles,
  )}`;
  // Lines are cut at the box's width by Ink, which measures them as the terminal draws them.
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {visible.length === 0 && <Text dimColor>(nothing to show)</Text>}
      {visible.map((row) => {
        const stale = row.ageMs !== undefined && row.ageMs > staleAfterMs + (row.periodMs ?? 0);
        const age = row.ageMs === undefined ? '' : `${formatAge(row.ageMs)}${stale ? '!' : ''}`;
        const mark = tagged.includes(row.id) ? '*' : ' ';
        const body = formatTableRow(spec.columns, row);
        const line = `${mark} ${age.padEnd(AGE_WIDTH)} ${body}`;
        const selected = row.id === selectedId;
        return (
          <Text
            key={row.id}
            inverse={selected}
            color={stale ? 'gray' : toneColor[row.tone]}
            dimColor={stale || row.tone === 'dim'}
            bold={row.group === true}
            wrap="truncate-end"
          >
            {line}
          </Text>
        );
      })}
      {rows.length > offset + bodyHeight && <Text dimColor>{`  ↓ ${rows.length - offset - bodyHeight} more`}</Text>}
    </Box>
  );
}
