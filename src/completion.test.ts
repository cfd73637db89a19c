import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionScript } from './completion.js';

function program(): Command {
  const p = new Command().name('lvstop').option('-c, --config <file>', 'config file').option('--read-only', 'refuse');
  p.command('snapshot').description('poll once').option('--json', 'print JSON');
  p.command('init').description('write a config').option('-o, --output <file>', 'file').option('--force', 'overwrite');
  return p;
}

/** Ask real bash what the generated function completes for a command line (the last word is being typed). */
function bashComplete(script: string, words: string[]): string[] {
  const out = execFileSync(
    'bash',
    [
      '-c',
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _lvstop; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('completion scripts generated from the program', () => {
  const bash = completionScript(program(), 'bash');

  it('bash: commands and global options at the top level', () => {
    expect(bashComplete(bash, ['lvstop', ''])).toEqual(
      expect.arrayContaining(['snapshot', 'init', '--config', '-c', '--read-only']),
    );
    expect(bashComplete(bash, ['lvstop', 'sn'])).toEqual(['snapshot']);
  });

  it("bash: a command's own options, even after a global option with a value", () => {
    expect(bashComplete(bash, ['lvstop', '-c', 'x.json', 'init', '--'])).toEqual(
      expect.arrayContaining(['--output', '--force', '--help']),
    );
    expect(bashComplete(bash, ['lvstop', '-c', 'x.json', 'init', '--'])).not.toContain('--json');
    expect(bashComplete(bash, ['lvstop', 'snapshot', '--j'])).toEqual(['--json']);
  });

  it('zsh: every command and option, and valid zsh syntax', () => {
    const zsh = completionScript(program(), 'zsh');
    for (const word of ['snapshot:poll once', 'init:write a config', '--output', '--force', '--json', '--read-only'])
      expect(zsh).toContain(word);
    if (!existsSync('/usr/bin/zsh')) return;
    expect(() => execFileSync('zsh', ['-n'], { input: zsh })).not.toThrow();
  });
});
