import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MONITORING = resolve(import.meta.dirname, '../../monitoring');
const installed = (name: string) => [`/usr/bin/${name}`, `/usr/local/bin/${name}`].find((p) => existsSync(p));
const PROMTOOL = installed('promtool');
const AMTOOL = installed('amtool');

// promtool and amtool are Go programs that start slowly on a busy machine (over a minute seen beside a CPU hog): the
// bound only stops a tool that hangs, and each test waits as long as it.
const TOOL_BOUND_MS = 600_000;
const TEST_BOUND_MS = 2 * TOOL_BOUND_MS + 60_000;

async function tool(path: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(path, args, { cwd: MONITORING, timeout: TOOL_BOUND_MS });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!PROMTOOL)(
  'alert rules (promtool from Debian package prometheus; skipped when it is not installed)',
  () => {
    it(
      'are valid rules',
      async () => {
        const rules = readFileSync(resolve(MONITORING, 'lvstop-alerts.yml'), 'utf8').match(/^\s+- (alert|record): /gm);
        const r = await tool(PROMTOOL!, 'check', 'rules', 'lvstop-alerts.yml');
        expect(r.out).toContain(`SUCCESS: ${rules?.length} rules found`);
        expect(r.code).toBe(0);
      },
      TEST_BOUND_MS,
    );

    it(
      'fire and resolve as their unit tests expect',
      async () => {
        const r = await tool(PROMTOOL!, 'test', 'rules', 'lvstop-alerts.test.yml');
        expect(r.out).not.toContain('FAILED');
        expect(r.code).toBe(0);
      },
      TEST_BOUND_MS,
    );
  },
);

describe.skipIf(!AMTOOL)(
  'alertmanager config (amtool from Debian package prometheus-alertmanager; skipped when it is not installed)',
  () => {
    it(
      'is valid, with its inhibit rules and the webhook receiver',
      async () => {
        const r = await tool(AMTOOL!, 'check-config', 'alertmanager.yml');
        expect(r.out).toContain('SUCCESS');
        expect(r.out).toContain('3 inhibit rules');
        expect(r.code).toBe(0);
      },
      TEST_BOUND_MS,
    );

    it(
      'routes warnings and pages to the webhook',
      async () => {
        for (const severity of ['warning', 'critical']) {
          const r = await tool(
            AMTOOL!,
            'config',
            'routes',
            'test',
            '--config.file=alertmanager.yml',
            `severity=${severity}`,
            'alertname=LvsHostDown',
          );
          expect(r.out).toMatch(/^lvstop-webhook$/m);
          expect(r.code).toBe(0);
        }
      },
      TEST_BOUND_MS,
    );
  },
);
