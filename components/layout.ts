import type { TableRow } from '../src/render/table-model.js';
import { scrollOffset } from '../src/render/table-model.js';

/**
 * Lines for the table: the terminal less the header (2), alert lines, the status line and the footer, and one spare
 * line, because a frame as tall as the terminal makes Ink clear the screen on every update.
 */
export function tableHeight(terminalRows: number, alertLines: number): number {
  return Math.max(3, terminalRows - 1 - 2 - alertLines - 2);
}

/** Rows that fit in a table of this height: its header and the "more" line take one line each. */
export function tableBodyHeight(height: number): number {
  return Math.max(1, height - 2);
}

/** The selected row as it will be drawn: the remembered row when still there, else the first; kept on screen. */
export function visibleSelection(
  rows: readonly TableRow[],
  remembered: string | undefined,
  storedOffset: number,
  page: number,
): { readonly id: string | undefined; readonly index: number; readonly offset: number } {
  const found = remembered === undefined ? -1 : rows.findIndex((r) => r.id === remembered);
  const index = Math.max(0, found);
  return { id: rows[index]?.id, index, offset: scrollOffset(index, storedOffset, page, rows.length) };
}

/** Select row `index` (clamped to the rows), scrolling from `fromOffset` just enough to keep it on screen. */
export function moveSelection(
  rows: readonly TableRow[],
  index: number,
  fromOffset: number,
  page: number,
): { readonly id: string | undefined; readonly offset: number } {
  const i = Math.max(0, Math.min(rows.length - 1, index));
  return { id: rows[i]?.id, offset: scrollOffset(i, fromOffset, page, rows.length) };
}
