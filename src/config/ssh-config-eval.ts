import { userInfo } from 'node:os';
import { parseSshConfigLine, SshConfigLineError } from './ssh-config-line.js';
import type { SourceLine } from './ssh-config-include.js';
import { globMatches } from '../transport/known-hosts.js';

/** A directive's value for one alias, and the line it came from. */
export interface SshValue {
  readonly args: readonly string[];
  /** `file:line` */
  readonly where: string;
}

/** The values an alias obtains, by lowercased keyword: the first obtained wins, as OpenSSH reads its config. */
export interface SshValues {
  readonly first: ReadonlyMap<string, SshValue>;
  /** IdentityFile (and CertificateFile): every line that applies, in order, duplicates dropped. */
  readonly identityFiles: readonly string[];
}

export type Step =
  | { readonly kind: 'host'; readonly patterns: readonly string[] }
  | { readonly kind: 'match'; readonly criteria: readonly Criterion[]; readonly unsupported?: string }
  | { readonly kind: 'set'; readonly keyword: string; readonly args: readonly string[]; readonly where: string }
  | { readonly kind: 'enter' | 'leave' };

interface Criterion {
  readonly name: 'all' | 'host' | 'originalhost' | 'user' | 'localuser';
  readonly negate: boolean;
  readonly list: string;
}

const EVALUATED = new Set(['all', 'host', 'originalhost', 'user', 'localuser']);
/** Criteria that take no argument in OpenSSH. */
const BARE = new Set(['all', 'canonical', 'final']);

/** OpenSSH's match_pattern_list(): comma-separated, a matching `!pattern` refuses at once. */
export function patternListMatches(list: string, text: string, lower: boolean): boolean {
  let matched = false;
  for (const raw of list.split(',')) {
    const negate = raw.startsWith('!');
    const pattern = lower ? (negate ? raw.slice(1) : raw).toLowerCase() : negate ? raw.slice(1) : raw;
    if (globMatches(pattern, text)) {
      if (negate) return false;
      matched = true;
    }
  }
  return matched;
}

/** A Host line: blank-separated patterns, case-sensitive; any matching `!pattern` refuses the line. */
function hostLineMatches(patterns: readonly string[], alias: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globMatches(p.slice(1), alias)) return false;
    } else if (globMatches(p, alias)) matched = true;
  }
  return matched;
}

export class SshConfigSyntaxError extends Error {}

function matchStep(args: readonly string[], where: string): Step {
  const criteria: Criterion[] = [];
  let unsupported: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const negate = args[i]!.startsWith('!');
    const name = (negate ? args[i]!.slice(1) : args[i]!).toLowerCase();
    const list = BARE.has(name) ? '' : args[++i];
    if (list === undefined) throw new SshConfigSyntaxError(`${where}: Match ${name} needs an argument`);
    if (EVALUATED.has(name)) criteria.push({ name: name as Criterion['name'], negate, list });
    else unsupported ??= name;
  }
  return { kind: 'match', criteria, ...(unsupported ? { unsupported } : {}) };
}

/** The config as steps: Host and Match lines, directives, and the edges of included files. */
export function compileSshConfig(lines: readonly SourceLine[]): Step[] {
  const steps: Step[] = [];
  for (const l of lines) {
    if (l.include) {
      steps.push({ kind: l.include });
      continue;
    }
    const where = `${l.file}:${l.line}`;
    let parsed;
    try {
      parsed = parseSshConfigLine(l.text);
    } catch (err) {
      if (err instanceof SshConfigLineError) throw new SshConfigSyntaxError(`${where}: ${err.message}`);
      throw err;
    }
    if (!parsed) continue;
    if (parsed.keyword === 'host') steps.push({ kind: 'host', patterns: parsed.args });
    else if (parsed.keyword === 'match') steps.push(matchStep(parsed.args, where));
    else steps.push({ kind: 'set', keyword: parsed.keyword, args: parsed.args, where });
  }
  return steps;
}

const localUserName = () => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
};

/**
 * What one alias obtains, as OpenSSH's first pass over its config (ssh -G): Host lines match the alias as given,
 * Match host the HostName obtained so far (`%h` expanded), Match user the User so far or the local user. Match blocks
 * with criteria lvstop does not evaluate (exec, canonical, final, localnetwork, ...) never apply.
 */
export function evaluateSshConfig(steps: readonly Step[], alias: string): SshValues {
  const first = new Map<string, SshValue>();
  const identityFiles: string[] = [];
  let active = true;
  let neverMatch = false;
  const saved: { active: boolean; neverMatch: boolean }[] = [];
  const local = localUserName();
  const criterionHolds = (c: Criterion): boolean => {
    switch (c.name) {
      case 'all':
        return true;
      case 'host': {
        const hostName = first.get('hostname')?.args[0];
        const host = hostName === undefined ? alias : hostName.replace(/%([h%])/g, (_, t) => (t === 'h' ? alias : '%'));
        return patternListMatches(c.list, host, true);
      }
      case 'originalhost':
        return patternListMatches(c.list, alias, false);
      case 'user':
        return patternListMatches(c.list, first.get('user')?.args[0] ?? local, false);
      case 'localuser':
        return patternListMatches(c.list, local, false);
    }
  };
  for (const step of steps) {
    switch (step.kind) {
      case 'enter':
        saved.push({ active, neverMatch });
        if (!active) neverMatch = true;
        break;
      case 'leave':
        ({ active, neverMatch } = saved.pop() ?? { active: true, neverMatch: false });
        break;
      case 'host':
        active = !neverMatch && hostLineMatches(step.patterns, alias);
        break;
      case 'match':
        active = !neverMatch && !step.unsupported && step.criteria.every((c) => criterionHolds(c) !== c.negate);
        break;
      case 'set':
        if (!active) break;
        if (step.keyword === 'identityfile' || step.keyword === 'certificatefile') {
          for (const f of step.keyword === 'identityfile' ? step.args : [])
            if (!identityFiles.includes(f)) identityFiles.push(f);
          if (step.keyword === 'certificatefile' && !first.has('certificatefile'))
            first.set('certificatefile', { args: step.args, where: step.where });
        } else if (!first.has(step.keyword)) first.set(step.keyword, { args: step.args, where: step.where });
    }
  }
  return { first, identityFiles };
}
