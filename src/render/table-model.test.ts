import { describe, expect, it } from 'vitest';
import { capturedStore, NOW } from '../../test/support/console-store.js';
import { serviceRows } from './service-rows.js';
import {
  filterRows,
  formatCells,
  lazyCellsRow,
  padEnd,
  padStart,
  scrollOffset,
  sortRows,
  textWidth,
  type Column,
} from './table-model.js';

const spec = serviceRows(capturedStore().getState(), 'wordpress', NOW);
const firstCells = (rows: readonly { cells: readonly string[] }[]) => rows.map((r) => r.cells[0]);

describe('rows formatted when read', () => {
  it('formats a row once, the first time its cells are read, and equals the row formatted at once', () => {
    const eager = spec.rows.find((r) => r.id.split('|').length === 3)!;
    let formatted = 0;
    const { cells, ...rest } = eager;
    const lazy = lazyCellsRow(rest, () => {
      formatted++;
      return cells;
    });
    expect(formatted).toBe(0);
    expect(lazy.cells).toBe(cells);
    expect(lazy.cells).toBe(cells);
    expect(formatted).toBe(1);
    expect(lazy).toEqual(eager);
  });

  it('leaves the rows a frame does not draw unformatted', () => {
    const rows = Array.from({ length: 1000 }, (_, i) =>
      lazyCellsRow({ id: String(i), tone: 'normal' }, () => {
        throw new Error(`row ${i} formatted`);
      }),
    );
    // Sorting by no column and filtering with no pattern read no cell.
    expect(sortRows(filterRows(rows, ''), undefined, false)).toHaveLength(1000);
    expect(() => filterRows(rows, 'x')).toThrow('row 0 formatted');
  });
});

describe('filter', () => {
  it('keeps group rows and the rows that match, case-insensitive', () => {
    expect(firstCells(filterRows(spec.rows, '10\\.18\\.11\\.22'))).toEqual([
      'director director1',
      'TCP 10.18.11.40:80',
      ' -> 10.18.11.22:80',
      'director director2',
    ]);
    expect(filterRows(spec.rows, 'ROUTE').filter((r) => !r.group)).toHaveLength(2);
  });

  it('matches an invalid pattern literally', () => {
    expect(filterRows(spec.rows, '(').filter((r) => !r.group)).toEqual([]);
  });
});

describe('sort', () => {
  it('sorts within a group, numbers as numbers, and reverses', () => {
    const byInact = sortRows(spec.rows, 5, true);
    expect(firstCells(byInact)).toEqual([
      'director director1',
      'TCP 10.18.11.40:80',
      ' -> 10.18.11.22:80',
      ' -> 10.18.11.21:80',
      'director director2',
    ]);
    expect(firstCells(sortRows(spec.rows, undefined, true))[0]).toBe('director director2');
  });
});

describe('layout of cells', () => {
  const columns: Column[] = [
    { title: 'A', width: 4, align: 'left' },
    { title: 'B', width: 4, align: 'right' },
    { title: 'C', width: 3, align: 'left' },
  ];
  it('pads, cuts with an ellipsis, and lets the last left column run on', () => {
    expect(padEnd('abcdef', 4)).toBe('abc…');
    expect(padStart('7', 3)).toBe('  7');
    expect(padStart('12345', 3)).toBe('12…');
    expect(formatCells(columns, ['ab', '7', 'long text'])).toBe('ab      7 long text');
  });
});

describe('scroll offset', () => {
  it('keeps the selected row on screen, moving as little as it can', () => {
    expect(scrollOffset(0, 0, 5, 20)).toBe(0);
    expect(scrollOffset(7, 0, 5, 20)).toBe(3);
    expect(scrollOffset(2, 3, 5, 20)).toBe(2);
    expect(scrollOffset(19, 30, 5, 20)).toBe(15);
    expect(scrollOffset(3, 0, 0, 20)).toBe(0);
  });
});

describe('column widths as the terminal draws them', () => {
  it('pads and cuts wide (CJK) text by columns, not characters', () => {
    // "论坛" is 2 characters and 4 columns wide.
    expect(textWidth('论坛集群')).toBe(8);
    expect(padEnd('论坛', 6)).toBe('论坛  ');
    expect(padStart('论坛', 6)).toBe('  论坛');
    expect(padEnd('论坛集群', 6)).toBe('论坛… ');
    expect(textWidth(padEnd('论坛集群', 6))).toBe(6);
    expect(padEnd('wordpress', 5)).toBe('word…');
    const cols = [
      { title: 'CLUSTER', width: 8, align: 'left' as const },
      { title: 'N', width: 3, align: 'right' as const },
      { title: 'LAST', width: 4, align: 'left' as const },
    ];
    const a = formatCells(cols, ['论坛集群', '1', 'x']);
    const b = formatCells(cols, ['discuz', '12', 'x']);
    expect(textWidth(a)).toBe(textWidth(b));
    expect(a.indexOf('x')).toBeLessThan(b.indexOf('x'));
  });
});
