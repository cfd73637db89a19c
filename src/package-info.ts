import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The directory of lvstop's package.json, found upwards from this file (src/ from source, dist/src/ built,
 * dist/bundle/chunks/ bundled). */
export function packageRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'lvstop') return dir;
      } catch {
        // not ours: keep going up
      }
    }
    if (dirname(dir) === dir) return from;
  }
}

export function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

/** config.example.json as shipped in the package. */
export const exampleConfigFile = () => join(packageRoot(), 'config.example.json');
