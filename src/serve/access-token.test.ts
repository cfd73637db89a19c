import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAccessTokens, matchAccessToken } from './access-token.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lvstop-token-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tokenFile = (mode: number) => {
  const file = join(dir, 'tokens');
  writeFileSync(file, '# on-call\noncall:0123456789abcdef0123\n');
  chmodSync(file, mode);
  return file;
};
const me = process.getuid!();

describe('token file', () => {
  it('is read when its owner is the serving user and nobody else may read or write it', async () => {
    const tokens = await loadAccessTokens(tokenFile(0o600), me);
    expect(matchAccessToken(tokens, '0123456789abcdef0123')?.name).toBe('oncall');
    expect(await loadAccessTokens(tokenFile(0o400), me)).toHaveLength(1);
  });

  it('is refused, saying how to fix it, when group or others may read or write it', async () => {
    for (const mode of [0o640, 0o620, 0o604, 0o602, 0o644]) {
      const file = tokenFile(mode);
      await expect(loadAccessTokens(file, me), mode.toString(8)).rejects.toThrow(
        `token file ${file}: its group or others may read or write it (mode ${mode.toString(8)}); chmod 600 ${file}`,
      );
    }
  });

  it('is refused when another user owns it (they could change the tokens serve trusts)', async () => {
    const file = tokenFile(0o600);
    await expect(loadAccessTokens(file, me + 1)).rejects.toThrow(
      `token file ${file}: owned by uid ${me}, not by the user serve runs as (uid ${me + 1}); chown ${me + 1} ${file} (and chmod 600 it), or run serve as its owner`,
    );
  });
});
