/** One ssh config line split as OpenSSH's readconf.c splits it: a keyword, then its arguments. */
export interface SshConfigLine {
  /** Lowercased, as OpenSSH matches keywords. */
  readonly keyword: string;
  /** Split arguments; for a command (ProxyCommand, ...) one argument, the rest of the line as written. */
  readonly args: readonly string[];
}

export class SshConfigLineError extends Error {}

/**
 * Arguments as OpenSSH's argv_split() reads them: blank-separated, `"` or `'` quoting, a backslash escaping a quote,
 * a backslash or (outside quotes) a blank, and a word that starts with `#` ending the line.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
    if (i >= text.length || text[i] === '#') break;
    let arg = '';
    let quote = '';
    for (; i < text.length; i++) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) {
        i += 1;
        arg += next;
      } else if (quote === '' && (c === ' ' || c === '\t')) break;
      else if (quote === '' && (c === '"' || c === "'")) quote = c;
      else if (quote !== '' && c === quote) quote = '';
      else arg += c;
    }
    if (quote !== '') throw new SshConfigLineError('unterminated quote');
    args.push(arg);
  }
  return args;
}

/** A line's keyword and arguments; undefined for a blank line or a comment. `Key value`, `Key=value`, `Key = value`. */
export function parseSshConfigLine(text: string): SshConfigLine | undefined {
  const m = /^[\s]*([^\s=#][^\s=]*)(?:\s*=\s*|\s+|$)(.*)$/.exec(text.replace(/[\s\f]+$/, ''));
  if (!m) return undefined;
  const keyword = m[1]!.toLowerCase();
  // A command is the rest of the line as written (OpenSSH does not split it): quotes and `#` stay.
  const command = /^(proxycommand|knownhostscommand|localcommand|remotecommand)$/.test(keyword);
  return { keyword, args: command ? [m[2]!] : splitArgs(m[2]!) };
}
