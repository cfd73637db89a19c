import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Weights real servers had before they were drained, so `restore` can put them back. */
export interface DrainMemory {
  get(key: string): Promise<number | undefined>;
  /** Save weights of rows drained and forget rows given weight again, in one write. */
  update(save: ReadonlyMap<string, number>, forget: readonly string[]): Promise<void>;
}

/** Kept by drainKey (collectors/ids.ts): `cluster/director/service key/real server key`. */

/** The state file beside the audit log. */
export const drainStateFile = (auditLog: string) => join(dirname(auditLog), 'drained-weights.json');

interface StateFile {
  readonly version: 1;
  readonly weights: Record<string, { readonly weight: number; readonly at: string }>;
}

export function fileDrainMemory(file: string, now: () => number = Date.now): DrainMemory {
  const load = async (): Promise<StateFile> => {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StateFile>;
      return { version: 1, weights: parsed.weights ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, weights: {} };
      throw new Error(`drain state ${file}: ${(err as Error).message}`);
    }
  };
  let tail: Promise<void> = Promise.resolve();
  return {
    async get(key) {
      await tail;
      return (await load()).weights[key]?.weight;
    },
    update(save, forget) {
      const next = tail.then(async () => {
        if (save.size === 0 && forget.length === 0) return;
        const state = await load();
        const weights = { ...state.weights };
        for (const k of forget) delete weights[k];
        const at = new Date(now()).toISOString();
        for (const [k, weight] of save) weights[k] = { weight, at };
        await mkdir(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify({ version: 1, weights }, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, file);
      });
      tail = next.catch(() => undefined);
      return next;
    },
  };
}

/** In-memory variant for tests and for a console without a writable state directory. */
export function memoryDrainMemory(): DrainMemory {
  const weights = new Map<string, number>();
  return {
    get: async (key) => weights.get(key),
    update: async (save, forget) => {
      for (const k of forget) weights.delete(k);
      for (const [k, w] of save) weights.set(k, w);
    },
  };
}
