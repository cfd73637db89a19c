import stringWidth from 'string-width';
import type { RowTarget } from '../actions/row-target.js';

export type RowTone = 'normal' | 'dim' | 'ok' | 'warn' | 'critical' | 'heading' | 'stale';

export interface Column {
  readonly title: string;
  readonly width: number;
  readonly align: 'left' | 'right';
}

/** What enter opens: a service with its real servers, or one real server across services. */
export type DetailTarget =
  | { readonly kind: 'service'; readonly director: string; readonly service: string }
  | { readonly kind: 'real-server'; readonly address: string }
  /** Text that does not fit a column (a host's errors, a check's fix command), shown whole and wrapped. */
  | { readonly kind: 'text'; readonly title: string; readonly lines: readonly string[] };

export interface TableRow {
  /** Stable id, kept across polls: selection and tags follow it. Never parsed: `target` says what the row is. */
  readonly id: string;
  readonly cells: readonly string[];
  readonly tone: RowTone;
  /** Starts a group: stays in place when sorting and filtering; rows below it sort within it. */
  readonly group?: boolean;
  /** Rendered as one joined line instead of columns. */
  readonly span?: boolean;
  /** Age of the row's data in ms, shown and used to dim stale rows. */
  readonly ageMs?: number;
  /**
   * How often the row's data is read, when that is less often than every poll (ms): it is stale only once older than
   * this plus the table's allowance. Without it, a reading made every 10 s would show as stale between its reads.
   */
  readonly periodMs?: number;
  /** What enter opens, if anything. */
  readonly detail?: DetailTarget;
  /** What actions on this row act on, if anything. */
  readonly target?: RowTarget;
}

/**
 * A row whose cells are formatted the first time something reads them, then kept. A frame draws a screenful of
 * rows, so of a 10,000-row table only those (and, while filtering or sorting, the cells those need) are formatted.
 */
export function lazyCellsRow(row: Omit<TableRow, 'cells'>, format: () => readonly string[]): TableRow {
  let cells: readonly string[] | undefined;
  return {
    ...row,
    get cells() {
      return (cells ??= format());
    },
  };
}

export interface TableSpec {
  readonly columns: readonly Column[];
  readonly rows: readonly TableRow[];
}

/** Cut to width with an ellipsis, or pad: the one truncation rule of every table. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Columns the terminal draws for `text`: wide (CJK) characters take two, combining marks none. */
export function textWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** `text` cut to at most `width - 1` columns plus `…`, padded to exactly `width`. */
function cut(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = textWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…${' '.repeat(Math.max(0, width - 1 - used))}`;
}

/** Left-aligned in `width` terminal columns, cut with `…` when longer. */
export function padEnd(text: string, width: number): string {
  const w = textWidth(text);
  if (w > width) return width <= 0 ? '' : cut(text, width);
  return text + ' '.repeat(width - w);
}

/** Right-aligned in `width` terminal columns, cut with `…` when longer. */
export function padStart(text: string, width: number): string {
  const w = textWidth(text);
  if (w > width) return width <= 0 ? '' : cut(text, width);
  return ' '.repeat(width - w) + text;
}

/** Fixed-width columns; the last one, when left-aligned, takes whatever the terminal leaves. */
export function formatCells(columns: readonly Column[], cells: readonly string[]): string {
  return columns
    .map((c, i) => {
      const text = cells[i] ?? '';
      if (i === columns.length - 1 && c.align === 'left') return text;
      return c.align === 'left' ? padEnd(text, c.width) : padStart(text, c.width);
    })
    .join(' ');
}

export function formatTableRow(columns: readonly Column[], row: TableRow): string {
  return row.span ? row.cells.filter(Boolean).join('  ') : formatCells(columns, row.cells);
}

/** Case-insensitive regex filter over a row's text; an invalid pattern matches literally. */
export function filterRows(rows: readonly TableRow[], pattern: string): TableRow[] {
  if (pattern === '') return [...rows];
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
  return rows.filter((r) => r.group || re.test(r.cells.join(' ')));
}

const numeric = (s: string): number | undefined => {
  const m = /^(-?\d+(?:\.\d+)?)([kKMGTP]?)/.exec(s.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 1e3, K: 1024, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  return Number(m[1]) * (mult[m[2]!] ?? 1);
};

/** Sort by a column within each group (group rows stay in place), numbers numerically. */
export function sortRows(rows: readonly TableRow[], column: number | undefined, reverse: boolean): TableRow[] {
  if (column === undefined) return reverse ? [...rows].reverse() : [...rows];
  const cmp = (a: TableRow, b: TableRow) => {
    const x = a.cells[column] ?? '';
    const y = b.cells[column] ?? '';
    const nx = numeric(x);
    const ny = numeric(y);
    const r = nx !== undefined && ny !== undefined ? nx - ny : x.localeCompare(y);
    return reverse ? -r : r;
  };
  const out: TableRow[] = [];
  let group: TableRow[] = [];
  const flush = () => {
    out.push(...group.sort(cmp));
    group = [];
  };
  for (const row of rows) {
    if (row.group) {
      flush();
      out.push(row);
    } else group.push(row);
  }
  flush();
  return out;
}

/** First visible row so that the selected row stays on screen. */
export function scrollOffset(selectedIndex: number, currentOffset: number, height: number, total: number): number {
  if (height <= 0) return 0;
  let offset = Math.min(currentOffset, Math.max(0, total - height));
  if (selectedIndex < offset) offset = selectedIndex;
  if (selectedIndex >= offset + height) offset = selectedIndex - height + 1;
  return Math.max(0, offset);
}
