import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SshEndpoint } from '../transport/endpoint.js';
import type { HostRoute, TransportSettings } from '../transport/transport-settings.js';
import type { z } from 'zod';
import { ConfigError, formatPath } from './config-error.js';
import { ConfigSchema, type Config, type HostConfig } from './config-schema.js';
import { duplicateJsonKeys, nulByteProblems } from './json-text-checks.js';
import { loadSshAliases, type SshAliasResolver } from './ssh-alias.js';
import { agentSocket, effectiveSsh, expandIdentityFile } from './ssh-effective.js';
import { defaultAuditLog, defaultEventLog, defaultLvstopKnownHosts } from './paths.js';

export type ResolvedHost = HostRoute & { readonly name: string };

/** The config file read and resolved: what the transports need (TransportSettings) and the rest. */
export interface ResolvedConfig extends TransportSettings {
  readonly file: string;
  readonly config: Config;
  readonly hosts: ReadonlyMap<string, ResolvedHost>;
  readonly knownHostsFiles: readonly string[];
  readonly lvstopKnownHosts: string;
  readonly auditLog: string;
  readonly eventLog: string;
  /** ssh config directives that apply but lvstop does not honour (loadConfig prints them once to stderr). */
  readonly warnings?: readonly string[];
}

const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

export function expandPath(path: string, baseDir: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** A bad record key says what is wrong with the key, not only that it is invalid. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map((i) => i.message).join('; ');
  return issue.message;
}

/** Parse and validate config text; every problem names the field's path. */
export function parseConfigText(text: string, file: string): Config {
  // Editors on some systems save a UTF-8 byte order mark; JSON.parse would refuse it.
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const textProblems = [...duplicateJsonKeys(json), ...nulByteProblems(raw)];
  if (textProblems.length > 0) throw new ConfigError(file, textProblems);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issueMessage(issue)}`),
    );
  }
  return result.data;
}

function parseHostSpec(spec: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m || !m[2]) return { host: spec };
  return {
    ...(m[1] ? { user: m[1] } : {}),
    host: m[2].replace(/^\[|\]$/g, ''),
    ...(m[3] ? { port: Number(m[3]) } : {}),
  };
}

interface ResolveContext {
  readonly config: Config;
  readonly aliases: SshAliasResolver;
  readonly baseDir: string;
  readonly problems: string[];
}

function resolveEndpoint(
  ctx: ResolveContext,
  name: string,
  host: HostConfig | undefined,
  depth: number,
  path: string,
): SshEndpoint | undefined {
  if (depth > 8) {
    ctx.problems.push(`${path}: jump chain is too long or loops`);
    return undefined;
  }
  const spec = host ? undefined : parseHostSpec(name);
  const alias = host?.sshAlias ?? spec?.host ?? name;
  const fromSsh = ctx.aliases.resolve(alias);
  for (const p of fromSsh.invalid) ctx.problems.push(`${path}: ssh config: ${p}`);
  if (fromSsh.port !== undefined && !(Number.isInteger(fromSsh.port) && fromSsh.port >= 1 && fromSsh.port <= 65535)) {
    ctx.problems.push(`${path}: ssh config gives ${alias} an invalid Port`);
    return undefined;
  }
  const strict = fromSsh.strictHostKeyChecking;
  if (strict?.value === 'no') {
    ctx.problems.push(
      `${path}: ssh config sets StrictHostKeyChecking no for ${alias} (${strict.where}): lvstop never connects to a host whose key it has not verified; use yes or accept-new for this host`,
    );
    return undefined;
  }
  const jumpSpec = host?.jump ?? fromSsh.proxyJump;
  const ssh = effectiveSsh(alias, fromSsh, {
    ...(host?.address !== undefined ? { host: host.address } : {}),
    ...((host?.port ?? spec?.port) !== undefined ? { port: (host?.port ?? spec?.port)! } : {}),
    ...((host?.user ?? spec?.user) !== undefined ? { user: (host?.user ?? spec?.user)! } : {}),
    ...(jumpSpec !== undefined ? { proxyJump: jumpSpec } : {}),
  });
  const identityFiles = host?.identityFile
    ? [expandPath(host.identityFile, ctx.baseDir)]
    : ssh.identityFiles.length > 0
      ? ssh.identityFiles.map((f) => expandPath(expandIdentityFile(f, ssh), ctx.baseDir))
      : DEFAULT_IDENTITIES.map((f) => expandPath(f, ctx.baseDir));
  const agentSock = agentSocket(ssh);
  const useAgent = host?.agent ?? true;
  let jump: SshEndpoint | undefined;
  if (jumpSpec) {
    const hops = jumpSpec
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    for (const hop of hops) {
      const hopHost = ctx.config.hosts[hop];
      const resolved = resolveEndpoint(ctx, hop, hopHost, depth + 1, `${path} → jump ${hop}`);
      if (!resolved) return undefined;
      jump = jump ? { ...resolved, jump } : resolved;
    }
  }
  const knownHostsFiles = [...(ssh.userKnownHostsFiles ?? []), ...(ssh.globalKnownHostsFiles ?? [])].map((f) =>
    expandPath(f, ctx.baseDir),
  );
  const seconds = (s: number | undefined) => (s !== undefined && s > 0 ? s * 1000 : undefined);
  const connectTimeoutMs = seconds(ssh.connectTimeoutSec);
  const keepaliveIntervalMs = seconds(ssh.serverAliveIntervalSec);
  return {
    name,
    host: ssh.hostName,
    port: ssh.port,
    user: ssh.user,
    identityFiles,
    ...(useAgent && agentSock ? { agent: agentSock } : {}),
    ...(jump ? { jump } : {}),
    ...(!jumpSpec && fromSsh.proxyCommand ? { proxyCommand: fromSsh.proxyCommand } : {}),
    ...(knownHostsFiles.length > 0 ? { knownHostsFiles } : {}),
    ...(ssh.hostKeyAlias !== undefined ? { hostKeyAlias: ssh.hostKeyAlias } : {}),
    ...(strict?.value === 'accept-new' ? { acceptNew: true } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs } : {}),
    ...(ssh.serverAliveCountMax ? { keepaliveCountMax: ssh.serverAliveCountMax } : {}),
    ...(ssh.identitiesOnly ? { identitiesOnly: true } : {}),
  };
}

export async function loadConfig(file: string): Promise<ResolvedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read: ${(err as Error).message}`]);
  }
  const config = parseConfigText(text, path);
  // Warnings are the caller's to show: printed by a command, an event in the console (stderr would push its frame).
  return resolveConfig(config, path);
}

export async function resolveConfig(config: Config, path: string): Promise<ResolvedConfig> {
  const baseDir = dirname(path);
  const aliases = await loadSshAliases(expandPath(config.sshConfig ?? '~/.ssh/config', baseDir));
  const ctx: ResolveContext = { config, aliases, baseDir, problems: [] };
  const hosts = new Map<string, ResolvedHost>();
  for (const [name, host] of Object.entries(config.hosts)) {
    if (host.transport === 'local') {
      hosts.set(name, { name, transport: 'local', sudo: host.sudo });
      continue;
    }
    const endpoint = resolveEndpoint(ctx, name, host, 0, `hosts.${name}`);
    if (endpoint) hosts.set(name, { name, transport: 'ssh', sudo: host.sudo, endpoint });
  }
  if (ctx.problems.length > 0) throw new ConfigError(path, ctx.problems);
  const knownHosts = config.knownHosts === undefined ? ['~/.ssh/known_hosts'] : [config.knownHosts].flat();
  const lvstopKnownHosts = expandPath(config.lvstopKnownHosts ?? defaultLvstopKnownHosts(), baseDir);
  return {
    file: path,
    config,
    hosts,
    knownHostsFiles: [...knownHosts.map((f) => expandPath(f, baseDir)), lvstopKnownHosts],
    lvstopKnownHosts,
    auditLog: expandPath(config.auditLog ?? defaultAuditLog(), baseDir),
    eventLog: expandPath(config.eventLog ?? defaultEventLog(), baseDir),
    warnings: aliases.warnings,
  };
}
