import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultConfigFile } from '../config/paths.js';

/** A path given on the command line, made absolute from here so the written config works from anywhere. */
function fromHere(path: string): string {
  return path.startsWith('~') || isAbsolute(path) ? path : resolve(path);
}

/** `lvstop init DIRECTOR... [--real-server ALIAS...]`. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('read directors over SSH (keepalived.conf, ipvsadm -S -n) and write a config; changes nothing on them')
    .argument('<directors...>', 'ssh aliases of the directors')
    .option('--real-server <aliases...>', 'ssh aliases of real servers to poll too (matched by their addresses)')
    .option('-o, --output <file>', `config file to write (default: -c, else ${defaultConfigFile()})`)
    .option('--force', 'overwrite an existing config file')
    .option('--ssh-config <file>', 'ssh config the aliases are defined in (default ~/.ssh/config)')
    .option('--known-hosts <files...>', 'known_hosts files (default ~/.ssh/known_hosts)')
    .option('--sudo', 'read through sudo -n, and poll through it too')
    .action(
      async (
        directors: string[],
        cmd: {
          realServer?: string[];
          output?: string;
          force?: boolean;
          sshConfig?: string;
          knownHosts?: string[];
          sudo?: boolean;
        },
      ) => {
        const global = program.opts<{ config: string; acceptNew?: boolean }>();
        const output =
          cmd.output ?? (program.getOptionValueSource('config') === 'cli' ? global.config : defaultConfigFile());
        const { runInit } = await import('./run-init.js');
        process.exitCode = await runInit({
          directors,
          realServers: cmd.realServer ?? [],
          output,
          force: cmd.force ?? false,
          acceptNew: global.acceptNew ?? false,
          options: {
            ...(cmd.sshConfig ? { sshConfig: fromHere(cmd.sshConfig) } : {}),
            ...(cmd.knownHosts ? { knownHosts: cmd.knownHosts.map(fromHere) } : {}),
            ...(cmd.sudo ? { sudo: true } : {}),
          },
        });
      },
    );
}
