import { EXIT } from '../actions/exit-codes.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultConfigFile } from '../config/paths.js';
import { exampleConfigFile } from '../package-info.js';

/** What to tell someone who has no config yet: how to make one, and where the example is. */
export function noConfigMessage(file: string, example: string = exampleConfigFile()): string {
  return [
    `lvstop: no config file at ${file}`,
    '',
    'Make one from your directors (it only reads them: keepalived.conf and ipvsadm -S -n):',
    `  lvstop init DIRECTOR_ALIAS... [--real-server ALIAS...]${file === defaultConfigFile() ? '' : ` -o ${file}`}`,
    '',
    'or start from the example, which uses every field:',
    `  mkdir -p ${dirname(file)} && cp ${example} ${file}`,
    '',
    'Another file: lvstop -c FILE. Every field is described in the README ("Config reference").',
    '',
  ].join('\n');
}

/** Exit 2 with the no-config message when `file` does not exist. */
export function exitWhenConfigMissing(file: string): void {
  if (existsSync(file)) return;
  process.stderr.write(noConfigMessage(file));
  process.exit(EXIT.badInput);
}
