import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** OpenSSH's own limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;

/** One line of the flattened ssh config and where it came from, for messages. */
export interface SourceLine {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  /**
   * Set on the empty lines around an included file's lines: OpenSSH evaluates an included file with the Host/Match
   * state of the Include line, and restores that state after it.
   */
  readonly include?: 'enter' | 'leave';
}

export class SshConfigReadError extends Error {}

function globSegment(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Files matching a path whose components may hold `*` and `?`, sorted as OpenSSH's glob(3) returns them. */
async function expandGlob(path: string): Promise<string[]> {
  const parts = path.split('/').filter((p, i) => p !== '' || i === 0);
  let found = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (!/[*?]/.test(part)) {
      found = found.map((dir) => join(dir, part));
      continue;
    }
    const re = globSegment(part);
    const next: string[] = [];
    for (const dir of found) {
      const names = await readdir(dir).catch(() => [] as string[]);
      next.push(
        ...names
          .filter((n) => re.test(n) && (part.startsWith('.') || !n.startsWith('.')))
          .sort()
          .map((n) => join(dir, n)),
      );
    }
    found = next;
  }
  return found;
}

/**
 * Include arguments as OpenSSH reads them: `~/` is the home directory; other relative paths are under ~/.ssh, or under
 * /etc/ssh for the system-wide config.
 */
function includePath(arg: string, relativeTo: string): string {
  const unquoted = arg.replace(/^"(.*)"$/, '$1');
  if (unquoted.startsWith('~/')) return join(homedir(), unquoted.slice(2));
  return isAbsolute(unquoted) ? unquoted : join(relativeTo, unquoted);
}

/** A file's text; undefined when it does not exist (ssh reads a missing config, or Include target, as empty). */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new SshConfigReadError(`${file} is a directory, not an ssh config file`);
    throw new SshConfigReadError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * An ssh config with every `Include` replaced by the lines of the files it names (globs expanded, missing files
 * skipped as OpenSSH skips them, nesting bounded). An Include inside a Host block is inlined where it stands.
 */
export async function readSshConfigLines(
  file: string,
  depth = 0,
  relativeTo = file.startsWith('/etc/ssh/') ? '/etc/ssh' : join(homedir(), '.ssh'),
): Promise<SourceLine[]> {
  if (depth > MAX_INCLUDE_DEPTH)
    throw new SshConfigReadError(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`);
  const text = await readText(file);
  if (text === undefined) return [];
  const out: SourceLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const include = /^\s*include\s*[=\s]\s*(.+?)\s*$/i.exec(raw);
    if (!include) {
      out.push({ text: raw, file, line: i + 1 });
      continue;
    }
    for (const arg of include[1]!.match(/"[^"]*"|\S+/g) ?? []) {
      for (const path of await expandGlob(includePath(arg, relativeTo))) {
        out.push({ text: '', file, line: i + 1, include: 'enter' });
        out.push(...(await readSshConfigLines(path, depth + 1, relativeTo)));
        out.push({ text: '', file, line: i + 1, include: 'leave' });
      }
    }
  }
  return out;
}
