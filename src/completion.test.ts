import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { main } from './cli/program.js';
import { completionScript } from './completion.js';

function program(): Command {
  const p = new Command().name('lvstop').option('-c, --config <file>', 'config file').option('--read-only', 'refuse');
  p.command('snapshot').description('poll once').option('--json', 'print JSON');
  p.command('init').description('write a config').option('-o, --output <file>', 'file').option('--force', 'overwrite');
  p.command('replay <path...>').description('replay a recording').option('--at <time>', 'a moment').option('--summary');
  return p;
}

/** Ask real bash what the generated function completes for a command line (the last word is being typed). */
function bashComplete(script: string, words: string[], cwd?: string): string[] {
  const out = execFileSync(
    'bash',
    [
      '-c',
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _lvstop; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8', ...(cwd ? { cwd } : {}) },
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

  it('bash: a command whose arguments are paths completes files and directories, and its options after a dash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-completion-'));
    try {
      mkdirSync(join(dir, 'recordings'));
      writeFileSync(join(dir, 'rec-a.lvrec.gz'), '');
      expect(bashComplete(bash, ['lvstop', 'replay', 're'], dir).sort()).toEqual(['rec-a.lvrec.gz', 'recordings']);
      expect(bashComplete(bash, ['lvstop', 'replay', 'recordings', '--'], dir)).toEqual(
        expect.arrayContaining(['--at', '--summary', '--help']),
      );
      // Other commands' arguments are not paths: their options as before.
      expect(bashComplete(bash, ['lvstop', 'snapshot', ''], dir)).toContain('--json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('zsh: a path argument completes files', () => {
    const zsh = completionScript(program(), 'zsh');
    expect(zsh).toMatch(/replay\) _arguments .*'\*:path:_files' ;;/);
    expect(zsh).toMatch(/snapshot\) _arguments .*'\*:argument:_default' ;;/);
  });
});

/** The script `lvstop completion SHELL` prints for the real program. */
async function realScript(shell: 'bash' | 'zsh'): Promise<string> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await main(['node', 'lvstop', 'completion', shell]);
  } finally {
    write.mockRestore();
  }
  return out;
}

describe("lvstop's own completion", () => {
  it('completes replay, its options and its recordings', async () => {
    const bash = await realScript('bash');
    expect(bashComplete(bash, ['lvstop', 're'])).toEqual(expect.arrayContaining(['replay']));
    expect(bashComplete(bash, ['lvstop', 'replay', 'x', '--'])).toEqual(
      expect.arrayContaining(['--at', '--json', '--events', '--from', '--to', '--summary']),
    );
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-completion-'));
    try {
      writeFileSync(join(dir, 'lvstop-lab-20261122T031400.000Z.lvrec.gz'), '');
      expect(bashComplete(bash, ['lvstop', 'replay', 'lvstop-'], dir)).toEqual([
        'lvstop-lab-20261122T031400.000Z.lvrec.gz',
      ]);
      // `--record [dir]` on the console completes a directory.
      expect(bashComplete(bash, ['lvstop', '--record', 'lvstop-l'], dir)).toEqual([
        'lvstop-lab-20261122T031400.000Z.lvrec.gz',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const zsh = await realScript('zsh');
    expect(zsh).toContain("'replay:the console on a recording");
    for (const option of ['--at', '--json', '--events', '--from', '--to', '--summary'])
      expect(zsh).toMatch(new RegExp(`replay\\) _arguments .*'${option}\\[`));
    expect(zsh).toMatch(/replay\) _arguments .*'\*:path:_files' ;;/);
  });
});
