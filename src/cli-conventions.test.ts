import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerConventions } from './cli-conventions.js';
import { closeDebugLog } from './debug-log.js';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };

function program(out: string[]): Command {
  const p = new Command().name('lvstop').exitOverride();
  p.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
  p.command('snapshot').action(() => undefined);
  registerConventions(p);
  return p;
}

afterEach(() => {
  closeDebugLog();
  vi.restoreAllMocks();
});

describe('conventions on the program', () => {
  it('--version prints the version from package.json', async () => {
    const out: string[] = [];
    await expect(program(out).parseAsync(['node', 'lvstop', '--version'])).rejects.toMatchObject({
      code: 'commander.version',
    });
    expect(out.join('').trim()).toBe(pkg.version);
  });

  it('completion bash prints a script that knows init and the other commands', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (written.push(String(s)), true));
    await program([]).parseAsync(['node', 'lvstop', 'completion', 'bash']);
    const script = written.join('');
    expect(script).toContain('complete -o default -F _lvstop lvstop');
    expect(script).toMatch(/\n {4}init\) opts="[^"]*--real-server[^"]*--force/);
    expect(script).toMatch(/\*\) opts="[^"]*--debug[^"]* snapshot init completion"/);
  });
});
