import SSHConfig from 'ssh-config';
import { ConfigError } from './config-error.js';
import { readSshConfigLines, SshConfigReadError, type SourceLine } from './ssh-config-include.js';

/** What an ssh config says about one alias: the fields lvstop honours. */
export interface AliasSettings {
  readonly hostName?: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFiles: readonly string[];
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
}

export interface SshAliasResolver {
  resolve(alias: string): AliasSettings;
  /** Directives lvstop does not honour that apply to the aliases resolved so far (and every Match block). */
  readonly warnings: readonly string[];
}

/** Directives that change how ssh would connect, which lvstop does not honour: said once, never silently ignored. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  hostkeyalias: 'host keys are looked up under the host name and port',
  userknownhostsfile: 'known_hosts files come from the lvstop config (knownHosts)',
  globalknownhostsfile: 'known_hosts files come from the lvstop config (knownHosts)',
  knownhostscommand: 'known_hosts files come from the lvstop config (knownHosts)',
  hostkeyalgorithms: 'host key algorithms follow known_hosts',
  certificatefile: 'client certificates are not supported',
  pkcs11provider: 'PKCS#11 keys are not supported',
  securitykeyprovider: 'security keys are not supported',
  identityagent: 'the agent comes from SSH_AUTH_SOCK',
  canonicalizehostname: 'host names are not canonicalized',
  proxyusefdpass: 'not supported',
};

/** Lines that must not reach the ssh-config library: canonicalization would make it run nslookup. */
const dropped = /^\s*(canonicalizehostname|canonicaldomains)\b/i;

function parseOrFail(lines: readonly SourceLine[], file: string): SSHConfig {
  try {
    return SSHConfig.parse(lines.map((l) => (dropped.test(l.text) ? '' : l.text)).join('\n'));
  } catch (err) {
    throw new ConfigError(file, [`ssh config cannot be parsed: ${(err as Error).message}`]);
  }
}

/** Every Match block, and a Host line with no pattern (ssh itself refuses it). */
function structuralProblems(lines: readonly SourceLine[]): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const l of lines) {
    const m = /^\s*(host|match)\b\s*=?\s*(.*?)\s*$/i.exec(l.text);
    if (!m) continue;
    const where = `${l.file}:${l.line}`;
    if (m[1]!.toLowerCase() === 'host') {
      if (m[2] === '') problems.push(`${where}: "Host" with no pattern`);
    } else if (m[2] === '') problems.push(`${where}: "Match" with no criteria`);
    else
      warnings.push(
        `${where}: Match ${m[2]}: lvstop evaluates Match only in part (host, originalhost, user, all; exec never runs), so settings in this block may not apply as they do for ssh`,
      );
  }
  return { problems, warnings };
}

export async function loadSshAliases(file: string): Promise<SshAliasResolver> {
  let lines: SourceLine[];
  try {
    lines = await readSshConfigLines(file);
  } catch (err) {
    if (err instanceof SshConfigReadError) throw new ConfigError(file, [`ssh config: ${err.message}`]);
    throw err;
  }
  const { problems, warnings: matchWarnings } = structuralProblems(lines);
  if (problems.length > 0)
    throw new ConfigError(
      file,
      problems.map((p) => `ssh config: ${p}`),
    );
  const parsed = parseOrFail(lines, file);
  const canonicalize = lines.find((l) => /^\s*canonicalizehostname\s*[=\s]\s*(yes|always)/i.test(l.text));
  const warnings = new Set(matchWarnings);
  if (canonicalize)
    warnings.add(
      `${canonicalize.file}:${canonicalize.line}: CanonicalizeHostname is not supported: ${UNSUPPORTED.canonicalizehostname}`,
    );
  // One line per unsupported directive, naming every alias it applies to: a fleet of 300 aliases is one warning.
  const unsupported = new Map<string, { why: string; aliases: string[] }>();
  return {
    get warnings() {
      return [
        ...warnings,
        ...[...unsupported].map(
          ([key, u]) => `ssh config: ${key} (for ${u.aliases.join(', ')}) is not supported: ${u.why}`,
        ),
      ];
    },
    resolve(alias) {
      let c: Record<string, string | string[] | undefined>;
      try {
        c = parsed.compute(alias) as Record<string, string | string[] | undefined>;
      } catch (err) {
        throw new ConfigError(file, [`ssh config: cannot resolve ${alias}: ${(err as Error).message}`]);
      }
      const one = (k: string) => {
        const v = c[k];
        return Array.isArray(v) ? v[0] : v;
      };
      for (const key of Object.keys(c)) {
        const why = UNSUPPORTED[key.toLowerCase()];
        if (!why) continue;
        const u = unsupported.get(key) ?? { why, aliases: [] };
        if (!u.aliases.includes(alias)) u.aliases.push(alias);
        unsupported.set(key, u);
      }
      const port = one('Port');
      const identity = c['IdentityFile'];
      const proxyJump = one('ProxyJump');
      const proxyCommand = one('ProxyCommand');
      const hostName = one('HostName');
      const user = one('User');
      const jumps = proxyJump !== undefined && proxyJump.toLowerCase() !== 'none';
      const proxies = proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none';
      if (jumps && proxies)
        warnings.add(`ssh config: ${alias} has both ProxyJump and ProxyCommand; lvstop uses ProxyJump`);
      return {
        ...(hostName ? { hostName: hostName.replace(/%h/g, alias) } : {}),
        ...(port ? { port: Number(port) } : {}),
        ...(user ? { user } : {}),
        identityFiles: identity === undefined ? [] : Array.isArray(identity) ? identity : [identity],
        ...(jumps ? { proxyJump } : {}),
        ...(proxies && !jumps ? { proxyCommand } : {}),
      };
    },
  };
}
