import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The package as users get it: `npm pack`, a global install of the tarball into a temp prefix (its dependencies come
// from the registry), then the installed bin.

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const TMP = mkdtempSync(join(tmpdir(), 'lvstop-pack-'));
const version = (JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { version: string }).version;

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('npm pack and a global install', () => {
  let files: string[] = [];

  it('packs only what runs', async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', TMP], {
      cwd: REPO,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    files = (JSON.parse(stdout.slice(stdout.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map(
      (f) => f.path,
    );
    expect(files).toEqual(
      expect.arrayContaining(['dist/bundle/lvstop.js', 'README.md', 'config.example.json', 'package.json']),
    );
    // The bin is the esbuild bundle (its lazily loaded chunks beside it); the tsc output is not shipped.
    const stray = files.filter(
      (f) => !/^(dist\/bundle\/(chunks\/)?[\w-]+\.js|README\.md|config\.example\.json|package\.json)$/.test(f),
    );
    expect(stray).toEqual([]);
    expect(files.some((f) => f.includes('.test.'))).toBe(false);
  }, 240_000);

  it('installs globally from the tarball and prints the package version', async () => {
    const prefix = join(TMP, 'prefix');
    await run(
      'npm',
      ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, join(TMP, `lvstop-${version}.tgz`)],
      {
        cwd: TMP,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const { stdout } = await run(join(prefix, 'bin', 'lvstop'), ['--version'], { timeout: 30_000 });
    expect(stdout.trim()).toBe(version);
    const noConfig = await run(join(prefix, 'bin', 'lvstop'), ['-c', join(TMP, 'none.json'), 'check-config']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(noConfig).toMatchObject({ code: 2 });
    expect((noConfig as { stderr: string }).stderr).toContain(
      join(prefix, 'lib', 'node_modules', 'lvstop', 'config.example.json'),
    );
  }, 360_000);
});
