import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MONITORING = resolve(import.meta.dirname, '../../monitoring');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL!, args, { cwd: MONITORING, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!PROMTOOL)(
  'alert rules (promtool from Debian package prometheus; skipped when it is not installed)',
  () => {
    it('are valid rules', async () => {
      const r = await promtool('check', 'rules', 'lvstop-alerts.yml');
      expect(r.out).toContain('SUCCESS: 8 rules found');
      expect(r.code).toBe(0);
    });

    it('fire and resolve as their unit tests expect', async () => {
      const r = await promtool('test', 'rules', 'lvstop-alerts.test.yml');
      expect(r.out).not.toContain('FAILED');
      expect(r.code).toBe(0);
    });
  },
);
