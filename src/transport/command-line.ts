/**
 * The one place where an argv becomes the string a remote shell runs.
 * Every element is single-quoted, so no element is ever interpreted by the shell.
 */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface CommandOptions {
  /** Run through `sudo -n` (never prompts: a password prompt becomes an error). */
  readonly sudo?: boolean;
}

/** Wrap an argv so it runs under LC_ALL=C (and sudo -n when asked), then quote it. */
export function argvToCommand(argv: readonly string[], options: CommandOptions = {}): string {
  if (argv.length === 0) throw new Error('argvToCommand: empty argv');
  const wrapped = ['env', 'LC_ALL=C', 'LANG=C', ...argv];
  const full = options.sudo ? ['sudo', '-n', '--', ...wrapped] : wrapped;
  return full.map(quoteArg).join(' ');
}
