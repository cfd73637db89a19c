import { dirname } from 'node:path';
import { defaultRecordDir } from '../config/paths.js';
import { expandPath, type ResolvedConfig } from '../config/load-config.js';
import { packageVersion } from '../package-info.js';
import type { LvsStore } from '../store/lvs-store.js';
import { Recorder } from './recorder.js';
import { parseDuration } from './replay-time.js';

/** The directory recordings go to: `dir` as given, else the config's recordDir, else the state directory's. */
export function recordDirOf(resolved: ResolvedConfig, dir?: string): string {
  return expandPath(dir ?? resolved.config.recordDir ?? defaultRecordDir(), dirname(resolved.file));
}

/** Record `store` with the config's retention; a failure to write is one warning, never an error. */
export async function startRecording(
  resolved: ResolvedConfig,
  store: LvsStore,
  options: { readonly site: string; readonly dir?: string; readonly onWarning: (message: string) => void },
): Promise<Recorder> {
  const c = resolved.config;
  const recorder = new Recorder({
    store,
    dir: recordDirOf(resolved, options.dir),
    site: options.site,
    summary: {
      clusters: c.clusters.map((x) => x.name),
      hosts: Object.keys(c.hosts),
      pollIntervalMs: store.getState().pollIntervalMs,
      configFile: resolved.file,
      lvstop: packageVersion(),
    },
    retention: { maxBytes: c.recordMaxBytes, maxAgeMs: parseDuration(c.recordMaxAge) ?? 7 * 86_400_000 },
    onWarning: options.onWarning,
  });
  await recorder.start();
  return recorder;
}
