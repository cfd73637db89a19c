import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** An XDG base directory: the variable when it holds an absolute path (the spec ignores relative ones), else the default. */
function xdgDir(env: Env, variable: string, fallback: string): string {
  const v = env[variable];
  return v && isAbsolute(v) ? v : join(env['HOME'] || homedir(), fallback);
}

/** `$XDG_CONFIG_HOME/lvstop`, by default `~/.config/lvstop`. */
export function configDir(env: Env = process.env): string {
  return join(xdgDir(env, 'XDG_CONFIG_HOME', '.config'), 'lvstop');
}

/** `$XDG_STATE_HOME/lvstop`, by default `~/.local/state/lvstop`. */
export function stateDir(env: Env = process.env): string {
  return join(xdgDir(env, 'XDG_STATE_HOME', '.local/state'), 'lvstop');
}

export const defaultConfigFile = (env: Env = process.env) => join(configDir(env), 'config.json');
export const defaultLvstopKnownHosts = (env: Env = process.env) => join(configDir(env), 'known_hosts');
export const defaultAuditLog = (env: Env = process.env) => join(stateDir(env), 'audit.jsonl');
export const defaultEventLog = (env: Env = process.env) => join(stateDir(env), 'events.jsonl');
export const defaultRecordDir = (env: Env = process.env) => join(stateDir(env), 'recordings');
