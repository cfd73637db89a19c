import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { ConfigSchema } from '../config/config-schema.js';
import { parseConfigText, resolveConfig } from '../config/load-config.js';
import { debugLog } from '../debug-log.js';
import { createTransport } from '../transport/create-transport.js';
import { buildInitConfig, formatFindings, type InitOptions } from './build-config.js';
import { readDirector, readRealServer } from './read-host.js';

const EXIT_BAD_INPUT = 2;
const EXIT_HOST_ERROR = 1;
const READ_TIMEOUT_MS = 15_000;

export interface InitRequest {
  readonly directors: readonly string[];
  readonly realServers: readonly string[];
  readonly output: string;
  readonly force: boolean;
  readonly acceptNew: boolean;
  readonly options: InitOptions;
}

function fail(message: string, code: number): number {
  process.stderr.write(`lvstop init: ${message}\n`);
  return code;
}

/** Read every host (never changing one), print what was found and guessed, write the config. Returns the exit code. */
export async function runInit(req: InitRequest): Promise<number> {
  const output = resolve(req.output);
  if (existsSync(output) && !req.force) return fail(`${output} exists; pass --force to overwrite it`, EXIT_BAD_INPUT);
  const aliases = [...req.directors, ...req.realServers];
  const twice = aliases.filter((a, i) => aliases.indexOf(a) !== i);
  if (twice.length) return fail(`given more than once: ${[...new Set(twice)].join(', ')}`, EXIT_BAD_INPUT);

  const bootstrap = ConfigSchema.parse({
    ...(req.options.sshConfig ? { sshConfig: req.options.sshConfig } : {}),
    ...(req.options.knownHosts?.length ? { knownHosts: [...req.options.knownHosts] } : {}),
    hosts: Object.fromEntries(aliases.map((a) => [a, req.options.sudo ? { sudo: true } : {}])),
    clusters: [{ name: 'init', mode: 'dr', directors: [{ host: req.directors[0] }] }],
  });
  let resolved;
  try {
    resolved = await resolveConfig(bootstrap, output);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, EXIT_BAD_INPUT);
    throw err;
  }
  const transports = new Map(aliases.map((a) => [a, createTransport(resolved, a, { acceptNew: req.acceptNew })]));
  debugLog('init-start', { directors: req.directors.join(','), realServers: req.realServers.join(',') });
  let readings;
  try {
    readings = await Promise.all([
      Promise.all(req.directors.map((a) => readDirector(a, transports.get(a)!, READ_TIMEOUT_MS))),
      Promise.all(req.realServers.map((a) => readRealServer(a, transports.get(a)!, READ_TIMEOUT_MS))),
    ]);
  } finally {
    await Promise.all([...transports.values()].map((t) => t.close()));
  }
  const [directors, realServers] = readings;
  const { config, findings } = buildInitConfig(directors, realServers, req.options);
  process.stdout.write(formatFindings(findings) + '\n');
  const unread = directors.filter((d) => d.error).map((d) => d.alias);
  if (unread.length) return fail(`could not read ${unread.join(', ')}; nothing written`, EXIT_HOST_ERROR);

  const text = JSON.stringify(config, null, 2) + '\n';
  try {
    await resolveConfig(parseConfigText(text, output), output);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`the config built is not valid (nothing written): ${err.message}`, 1);
    throw err;
  }
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, text, { flag: req.force ? 'w' : 'wx' });
  const hosts = Object.keys(config.hosts).length;
  process.stdout.write(
    `\nwrote ${output}: ${config.clusters.length} cluster(s), ${hosts} host(s). Review the guesses, then:\n` +
      `  lvstop -c ${output} check-config\n  lvstop -c ${output}\n`,
  );
  return 0;
}
