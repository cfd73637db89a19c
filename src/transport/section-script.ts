import type { Section, SectionOutput } from '../../collectors/section.js';
import { quoteArg } from './command-line.js';

export const GUARD_FAILED = 200;

const cmd = (argv: readonly string[]) => argv.map(quoteArg).join(' ');

/**
 * A POSIX sh script that runs every section and frames its stdout, stderr and exit code with nonce markers.
 * Files are read and stderr is replayed with builtins (`read`, `printf`), so the script starts as few processes as
 * it can.
 */
export function buildSectionScript(sections: readonly Section[], nonce: string): string {
  const mark = `@@LVSTOP:${nonce}`;
  const out = [
    // Files left by polls that were killed (their trap never ran) go once the shell that made them is gone.
    `d="\${TMPDIR:-/tmp}"`,
    `for f in "$d"/.lvstop-[0-9]* "$d"/.lvstop-ka-[0-9]*; do p=\${f#"$d"/.lvstop-}; p=\${p#ka-}; p=\${p%%[!0-9]*}; [ -O "$f" ] && [ ! -d "/proc/$p" ] && rm -f "$f"; done`,
    // One stderr file per shell (a poll runs in a subshell, where $$ is the shell's): a killed poll's file is reused.
    `t="$d/.lvstop-$$"`,
    `if [ -O "$t" ] && [ ! -L "$t" ]; then : >|"$t"; else set -C; : >"$t" || exit 97; set +C; fi`,
    `trap 'rm -f "$t"' EXIT`,
    `rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }`,
    `rdn() { n=$2; while [ $n -gt 0 ] && { IFS= read -r l || [ -n "$l" ]; }; do printf '%s\\n' "$l"; n=$((n-1)); done <"$1"; }`,
  ];
  for (const s of sections) {
    const body =
      'file' in s
        ? `if [ -r ${quoteArg(s.file)} ]; then ${s.maxLines ? `rdn ${quoteArg(s.file)} ${s.maxLines}` : `rd ${quoteArg(s.file)}`} 2>"$t"; rc=$?; else echo ${quoteArg(`cannot read ${s.file}`)} >"$t"; rc=1; fi`
        : 'script' in s
          ? `(\nset -- ${s.args.map(quoteArg).join(' ')}\n${s.script}\n) </dev/null 2>"$t"; rc=$?`
          : `${s.timeoutSec ? `timeout -s KILL ${s.timeoutSec} ` : ''}${cmd(s.argv)} </dev/null 2>"$t"; rc=$?`;
    out.push(`echo '${mark}:begin ${s.id}'`);
    const guard = 'guard' in s ? s.guard : undefined;
    out.push(guard ? `if ${cmd(guard)} >/dev/null 2>&1; then ${body}; else : >"$t"; rc=${GUARD_FAILED}; fi` : body);
    out.push(`echo; echo '${mark}:stderr'; rd "$t"; echo; echo "${mark}:end ${s.id} $rc"`);
  }
  return out.join('\n');
}

/**
 * Reads a section script's stdout as it streams and hands over each section the moment its end marker arrives, so a
 * slow section (a hung keepalived, a stuck rsync) delays only itself. One pass over the text: each chunk is scanned
 * once for line ends, and a line is looked at only to see whether it is a marker.
 */
export class SectionStream {
  private readonly mark: string;
  private readonly onSection: (out: SectionOutput) => void;
  private readonly done = new Map<string, SectionOutput>();
  private partial = '';
  private current: { id: string; stdout: string[]; stderr: string[]; inStderr: boolean } | undefined;

  constructor(nonce: string, onSection: (out: SectionOutput) => void = () => undefined) {
    this.mark = `@@LVSTOP:${nonce}:`;
    this.onSection = onSection;
  }

  /** Sections completed so far, by id. */
  get sections(): ReadonlyMap<string, SectionOutput> {
    return this.done;
  }

  push(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl >= 0) {
      const line = this.partial === '' ? chunk.slice(start, nl) : this.partial + chunk.slice(start, nl);
      this.partial = '';
      this.line(line);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.partial += chunk.slice(start);
  }

  private line(line: string): void {
    if (line.startsWith(this.mark)) {
      const rest = line.slice(this.mark.length);
      if (rest.startsWith('begin ')) {
        this.current = { id: rest.slice(6), stdout: [], stderr: [], inStderr: false };
        return;
      }
      const c = this.current;
      if (c && rest === 'stderr') {
        c.inStderr = true;
        return;
      }
      if (c && rest.startsWith(`end ${c.id} `)) {
        const code = Number(rest.slice(5 + c.id.length));
        const out: SectionOutput = {
          id: c.id,
          // The lines before a marker end with the framing `echo`'s newline: joined, they are exactly what was printed.
          stdout: c.stdout.join('\n'),
          stderr: c.stderr.join('\n'),
          exitCode: code === GUARD_FAILED ? null : code,
        };
        this.current = undefined;
        this.done.set(out.id, out);
        this.onSection(out);
        return;
      }
    }
    const c = this.current;
    if (c) (c.inStderr ? c.stderr : c.stdout).push(line);
  }
}

/** Split a section script's whole stdout. Sections that never ended (killed script) are absent. */
export function splitSectionOutput(stdout: string, nonce: string): Map<string, SectionOutput> {
  const stream = new SectionStream(nonce);
  stream.push(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  return new Map(stream.sections);
}
