import { drainText, roundUpDuration } from '../model/drain-progress.js';
import type { DirectorDrains } from '../store/drain-slice.js';
import type { TableRow } from './table-model.js';

/** How long a finished drain stays on screen under its server. */
export const DRAINED_SHOWN_MS = 10 * 60_000;

/**
 * The line under a real server at weight 0: what its connection table still holds (`draining: 42 active, 130
 * templates, at most 3m10s`), then for a while that it is drained and may be stopped. Nothing for a server that was
 * already idle when first read, or before any read.
 */
export function drainLine(
  drains: DirectorDrains | undefined,
  key: string,
  now: number,
): Pick<TableRow, 'cells' | 'tone' | 'ageMs'> | undefined {
  const d = drains?.servers[key];
  if (!d || !d.hadEntries) return undefined;
  const ageMs = now - d.state.at;
  if (d.drainedAt !== undefined) {
    if (now - d.drainedAt > DRAINED_SHOWN_MS) return undefined;
    const ago = roundUpDuration((now - d.drainedAt) / 1000);
    return { cells: [`    drained ${ago} ago: no connections, no templates left`], tone: 'ok', ageMs };
  }
  const read = drains!.read;
  const notes = [
    d.renewed ? 'clients came back' : '',
    read.ok ? '' : `last read failed: ${read.error}`,
    read.ok && read.truncatedBy === 'deadline' ? `table read stopped at ${Math.round(read.ms / 1000)} s` : '',
  ].filter(Boolean);
  return { cells: [`    ${drainText(d.state)}${notes.length ? ` (${notes.join('; ')})` : ''}`], tone: 'warn', ageMs };
}
