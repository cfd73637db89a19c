import { EXIT } from './actions/exit-codes.js';
import type { Command } from 'commander';
import { completionScript } from './completion.js';
import { openDebugLog } from './debug-log.js';
import { registerInitCommand } from './init/init-command.js';
import { packageVersion } from './package-info.js';

/** `--version`, `--debug FILE` (or LVSTOP_DEBUG), `init` and `completion bash|zsh` on the program. */
export function registerConventions(program: Command): void {
  program.version(packageVersion(), '-V, --version', 'print the version');
  program.option('--debug <file>', 'append connection and poll events with timestamps to FILE (or LVSTOP_DEBUG=FILE)');
  program.hook('preAction', () => {
    const file = program.opts<{ debug?: string }>().debug ?? process.env['LVSTOP_DEBUG'];
    if (!file) return;
    try {
      openDebugLog(file);
    } catch (err) {
      process.stderr.write(`lvstop: --debug ${file}: cannot write: ${(err as Error).message}\n`);
      process.exit(EXIT.badInput);
    }
  });
  registerInitCommand(program);
  program
    .command('completion')
    .description('print a shell completion script: source <(lvstop completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        process.stderr.write(`lvstop completion: expected bash or zsh, got "${shell}"\n`);
        process.exitCode = EXIT.badInput;
        return;
      }
      process.stdout.write(completionScript(program, shell));
    });
}
