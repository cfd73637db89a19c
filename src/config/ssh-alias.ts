import { ConfigError } from './config-error.js';
import {
  compileSshConfig,
  evaluateSshConfig,
  SshConfigSyntaxError,
  type SshValue,
  type Step,
} from './ssh-config-eval.js';
import { readSshConfigLines, SshConfigReadError, type SourceLine } from './ssh-config-include.js';

export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new' | 'no';

/**
 * What an ssh config says about one alias: the fields lvstop honours, as the config states them (paths and tokens not
 * yet expanded: that needs the final host, port and user, which the lvstop config may override).
 */
export interface AliasSettings {
  /** `%h` expanded, lowercased (as `ssh -G` prints it). */
  readonly hostName?: string;
  readonly port?: number;
  readonly user?: string;
  /** Every IdentityFile that applies, in order, duplicates dropped. */
  readonly identityFiles: readonly string[];
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
  /** The first UserKnownHostsFile line's files; `[]` for `none`. */
  readonly userKnownHostsFiles?: readonly string[];
  readonly globalKnownHostsFiles?: readonly string[];
  readonly strictHostKeyChecking?: { readonly value: StrictHostKeyChecking; readonly where: string };
  /** Lowercased, as OpenSSH looks it up. */
  readonly hostKeyAlias?: string;
  readonly connectTimeoutSec?: number;
  readonly serverAliveIntervalSec?: number;
  readonly serverAliveCountMax?: number;
  /** A socket path (tokens unexpanded), `SSH_AUTH_SOCK` or `none`. */
  readonly identityAgent?: string;
  readonly identitiesOnly?: boolean;
  /** Values that are not valid, with where they are (the caller makes them config errors). */
  readonly invalid: readonly string[];
}

export interface SshAliasResolver {
  resolve(alias: string): AliasSettings;
  /** Directives lvstop does not honour that apply to the aliases resolved so far, and Match blocks it cannot evaluate. */
  readonly warnings: readonly string[];
}

/** Directives that change how ssh would connect, which lvstop does not honour: said once, never silently ignored. */
const UNSUPPORTED: Readonly<Record<string, readonly [name: string, why: string]>> = {
  knownhostscommand: ['KnownHostsCommand', 'known_hosts files come from UserKnownHostsFile and the lvstop config'],
  hostkeyalgorithms: ['HostKeyAlgorithms', 'host key algorithms follow known_hosts'],
  certificatefile: ['CertificateFile', 'client certificates are not supported'],
  pkcs11provider: ['PKCS11Provider', 'PKCS#11 keys are not supported'],
  securitykeyprovider: ['SecurityKeyProvider', 'security keys are not supported'],
  canonicalizehostname: ['CanonicalizeHostname', 'host names are not canonicalized'],
  proxyusefdpass: ['ProxyUseFdpass', 'not supported'],
  checkhostip: ['CheckHostIP', 'host keys are checked under the host name (or HostKeyAlias) only'],
  updatehostkeys: ['UpdateHostKeys', 'lvstop writes only keys accepted with --accept-new to its own known_hosts'],
  verifyhostkeydns: ['VerifyHostKeyDNS', 'host keys come from known_hosts files only'],
};

/** OpenSSH's convtime(): `90`, `1m30s`, `2h`; undefined when invalid. */
export function parseSshTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /(\d+)([smhdw])/giy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * units[m[2]!.toLowerCase()]!;
    end = re.lastIndex;
  }
  return end === text.length && text !== '' ? total : undefined;
}

const YES = new Set(['yes', 'true']);
const NO = new Set(['no', 'false']);

/** The Match blocks lvstop cannot evaluate: exec never runs (it would run a command each time an alias resolves). */
function matchWarnings(lines: readonly SourceLine[]): string[] {
  const warnings: string[] = [];
  for (const l of lines) {
    const m = /^\s*match\s*[=\s]\s*(.*?)\s*$/i.exec(l.text);
    if (!m) continue;
    const criteria = m[1]!.split(/\s+/).map((w) => w.replace(/^!/, '').toLowerCase());
    const where = `${l.file}:${l.line}`;
    if (criteria.includes('exec'))
      warnings.push(
        `${where}: Match ${m[1]}: lvstop never runs Match exec, so this block never applies (put its settings in a Host block or in hosts.NAME)`,
      );
    else {
      const other = criteria.find(
        (c, i) => i % 2 === 0 && !['all', 'host', 'originalhost', 'user', 'localuser'].includes(c),
      );
      if (other)
        warnings.push(`${where}: Match ${m[1]}: lvstop does not evaluate Match ${other}, so this block never applies`);
    }
  }
  return warnings;
}

/** A Host line with no pattern and a Match with no criteria: ssh itself refuses them. */
function structuralProblems(lines: readonly SourceLine[]): string[] {
  const problems: string[] = [];
  for (const l of lines) {
    const m = /^\s*(host|match)\b\s*=?\s*(.*?)\s*$/i.exec(l.text);
    if (!m || m[2] !== '') continue;
    const where = `${l.file}:${l.line}`;
    problems.push(
      m[1]!.toLowerCase() === 'host' ? `${where}: "Host" with no pattern` : `${where}: "Match" with no criteria`,
    );
  }
  return problems;
}

function settingsOf(
  steps: readonly Step[],
  alias: string,
): { settings: AliasSettings; first: ReadonlyMap<string, SshValue>; bothProxies: boolean } {
  const { first, identityFiles } = evaluateSshConfig(steps, alias);
  const invalid: string[] = [];
  const arg = (k: string) => first.get(k)?.args[0];
  const files = (k: string) => {
    const v = first.get(k)?.args;
    if (!v) return undefined;
    return v.length === 1 && v[0]!.toLowerCase() === 'none' ? [] : v;
  };
  const time = (k: string, name: string) => {
    const v = arg(k);
    if (v === undefined || (k === 'connecttimeout' && v.toLowerCase() === 'none')) return undefined;
    const sec = parseSshTime(v);
    if (sec === undefined) invalid.push(`${first.get(k)!.where}: ${name} ${v} is not a time`);
    return sec;
  };
  const flag = (k: string, name: string) => {
    const v = arg(k)?.toLowerCase();
    if (v === undefined) return undefined;
    if (YES.has(v) || NO.has(v)) return YES.has(v);
    invalid.push(`${first.get(k)!.where}: ${name} ${v} is not yes or no`);
    return undefined;
  };
  let strict: AliasSettings['strictHostKeyChecking'];
  const strictArg = arg('stricthostkeychecking')?.toLowerCase();
  if (strictArg !== undefined) {
    const where = first.get('stricthostkeychecking')!.where;
    const value: StrictHostKeyChecking | undefined = YES.has(strictArg)
      ? 'yes'
      : NO.has(strictArg) || strictArg === 'off'
        ? 'no'
        : strictArg === 'ask' || strictArg === 'accept-new'
          ? strictArg
          : undefined;
    if (value) strict = { value, where };
    else invalid.push(`${where}: StrictHostKeyChecking ${strictArg} is not yes, accept-new, ask, no or off`);
  }
  const countArg = arg('serveralivecountmax');
  const count = countArg === undefined ? undefined : /^\d+$/.test(countArg) ? Number(countArg) : NaN;
  if (Number.isNaN(count))
    invalid.push(`${first.get('serveralivecountmax')!.where}: ServerAliveCountMax ${countArg} is not a number`);
  const hostName = arg('hostname');
  const port = arg('port');
  const user = arg('user');
  const proxyJump = arg('proxyjump');
  const proxyCommand = arg('proxycommand');
  const jumps = proxyJump !== undefined && proxyJump.toLowerCase() !== 'none';
  const proxies = proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none';
  const userKnownHostsFiles = files('userknownhostsfile');
  const globalKnownHostsFiles = files('globalknownhostsfile');
  const hostKeyAlias = arg('hostkeyalias');
  const connectTimeoutSec = time('connecttimeout', 'ConnectTimeout');
  const serverAliveIntervalSec = time('serveraliveinterval', 'ServerAliveInterval');
  const identityAgent = arg('identityagent');
  const identitiesOnly = flag('identitiesonly', 'IdentitiesOnly');
  const settings: AliasSettings = {
    ...(hostName !== undefined
      ? { hostName: hostName.replace(/%([h%])/g, (_, t) => (t === 'h' ? alias : '%')).toLowerCase() }
      : {}),
    ...(port !== undefined ? { port: Number(port) } : {}),
    ...(user !== undefined ? { user } : {}),
    identityFiles,
    ...(jumps ? { proxyJump } : {}),
    ...(proxies && !jumps ? { proxyCommand } : {}),
    ...(userKnownHostsFiles ? { userKnownHostsFiles } : {}),
    ...(globalKnownHostsFiles ? { globalKnownHostsFiles } : {}),
    ...(strict ? { strictHostKeyChecking: strict } : {}),
    ...(hostKeyAlias !== undefined ? { hostKeyAlias: hostKeyAlias.toLowerCase() } : {}),
    ...(connectTimeoutSec !== undefined ? { connectTimeoutSec } : {}),
    ...(serverAliveIntervalSec !== undefined ? { serverAliveIntervalSec } : {}),
    ...(count !== undefined && !Number.isNaN(count) ? { serverAliveCountMax: count } : {}),
    ...(identityAgent !== undefined ? { identityAgent } : {}),
    ...(identitiesOnly !== undefined ? { identitiesOnly } : {}),
    invalid,
  };
  return { settings, first, bothProxies: jumps && proxies };
}

export async function loadSshAliases(file: string): Promise<SshAliasResolver> {
  let lines: SourceLine[];
  try {
    lines = await readSshConfigLines(file);
  } catch (err) {
    if (err instanceof SshConfigReadError) throw new ConfigError(file, [`ssh config: ${err.message}`]);
    throw err;
  }
  const problems = structuralProblems(lines);
  if (problems.length > 0)
    throw new ConfigError(
      file,
      problems.map((p) => `ssh config: ${p}`),
    );
  let steps: Step[];
  try {
    steps = compileSshConfig(lines);
  } catch (err) {
    if (err instanceof SshConfigSyntaxError)
      throw new ConfigError(file, [`ssh config cannot be parsed: ${err.message}`]);
    throw err;
  }
  const warnings = new Set(matchWarnings(lines));
  // One line per unsupported directive, naming every alias it applies to: a fleet of 300 aliases is one warning.
  const unsupported = new Map<string, { why: string; aliases: string[] }>();
  return {
    get warnings() {
      return [
        ...warnings,
        ...[...unsupported].map(
          ([name, u]) => `ssh config: ${name} (for ${u.aliases.join(', ')}) is not supported: ${u.why}`,
        ),
      ];
    },
    resolve(alias) {
      const { settings, first, bothProxies } = settingsOf(steps, alias);
      if (bothProxies) warnings.add(`ssh config: ${alias} has both ProxyJump and ProxyCommand; lvstop uses ProxyJump`);
      for (const [key, value] of first) {
        const entry = UNSUPPORTED[key];
        if (!entry) continue;
        const [name, why] = entry;
        // Settings that ask for what lvstop does anyway are no warning.
        if (NO.has(value.args[0]?.toLowerCase() ?? '') && key !== 'hostkeyalgorithms') continue;
        const u = unsupported.get(name) ?? { why, aliases: [] };
        if (!u.aliases.includes(alias)) u.aliases.push(alias);
        unsupported.set(name, u);
      }
      return settings;
    },
  };
}
