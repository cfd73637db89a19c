import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SEGMENT_SUFFIX } from './record-format.js';

export interface Retention {
  /** Total size of the directory's segments; the oldest go first. */
  readonly maxBytes: number;
  /** Segments last written longer ago than this go. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETENTION: Retention = { maxBytes: 2 * 1024 ** 3, maxAgeMs: 7 * 86_400_000 };

/** Drop segments beyond the retention, oldest first; never `keep` (the one being written). Returns what went. */
export async function enforceRetention(
  dir: string,
  options: Partial<Retention> & { readonly keep?: string; readonly now?: number },
): Promise<string[]> {
  const { maxBytes, maxAgeMs } = { ...DEFAULT_RETENTION, ...options };
  const now = options.now ?? Date.now();
  const names = (await readdir(dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX));
  const files = (
    await Promise.all(
      names.map(async (n) => {
        const file = join(dir, n);
        const s = await stat(file).catch(() => undefined);
        return s ? { file, size: s.size, mtime: s.mtimeMs } : undefined;
      }),
    )
  )
    .filter((f) => f !== undefined)
    .sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
  let total = files.reduce((a, f) => a + f.size, 0);
  const removed: string[] = [];
  for (const f of files) {
    if (f.file === options.keep) continue;
    if (total <= maxBytes && now - f.mtime <= maxAgeMs) continue;
    await unlink(f.file).catch(() => undefined);
    total -= f.size;
    removed.push(f.file);
  }
  return removed;
}
