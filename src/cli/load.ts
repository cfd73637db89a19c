import { COMMAND_IDS } from '../render/command-ids.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { exitWhenConfigMissing } from '../init/no-config.js';
import { EXIT } from '../actions/exit-codes.js';

/** Problems the config schema cannot see: `keys` naming a command the console does not have. */
export function unknownKeyCommands(resolved: ResolvedConfig): string[] {
  return Object.keys(resolved.config.keys)
    .filter((id) => !COMMAND_IDS.includes(id))
    .map((id) => `keys.${id}: unknown command (one of ${COMMAND_IDS.join(', ')})`);
}

/** Load and check the config; an invalid one is reported with the path of each bad field and exits 2. */
export async function load(file: string, printWarnings = true): Promise<ResolvedConfig> {
  exitWhenConfigMissing(file);
  let resolved: ResolvedConfig;
  try {
    resolved = await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lvstop: ${err.message}\n`);
      process.exit(EXIT.badInput);
    }
    throw err;
  }
  if (printWarnings) for (const w of resolved.warnings ?? []) process.stderr.write(`lvstop: warning: ${w}\n`);
  const problems = unknownKeyCommands(resolved);
  if (problems.length > 0) {
    process.stderr.write(`lvstop: invalid config ${resolved.file}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(EXIT.badInput);
  }
  return resolved;
}
