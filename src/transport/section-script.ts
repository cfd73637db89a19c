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
    `t="\${TMPDIR:-/tmp}/.lvstop-$$-${nonce}"`,
    `set -C; : >"$t" || exit 97; set +C`,
    `trap 'rm -f "$t"' EXIT`,
    `rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }`,
  ];
  for (const s of sections) {
    const body =
      'file' in s
        ? `if [ -r ${quoteArg(s.file)} ]; then rd ${quoteArg(s.file)} 2>"$t"; rc=$?; else echo ${quoteArg(`cannot read ${s.file}`)} >"$t"; rc=1; fi`
        : `${s.timeoutSec ? `timeout -s KILL ${s.timeoutSec} ` : ''}${cmd(s.argv)} </dev/null 2>"$t"; rc=$?`;
    out.push(`echo '${mark}:begin ${s.id}'`);
    out.push(s.guard ? `if ${cmd(s.guard)} >/dev/null 2>&1; then ${body}; else : >"$t"; rc=${GUARD_FAILED}; fi` : body);
    out.push(`echo; echo '${mark}:stderr'; rd "$t"; echo; echo "${mark}:end ${s.id} $rc"`);
  }
  return out.join('\n');
}

function dropFramingNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Split a section script's stdout. Sections that never ended (killed script) are absent. */
export function splitSectionOutput(stdout: string, nonce: string): Map<string, SectionOutput> {
  const mark = `@@LVSTOP:${nonce}`;
  const result = new Map<string, SectionOutput>();
  const re = new RegExp(
    `^${mark}:begin (\\S+)\\n([\\s\\S]*?)^${mark}:stderr\\n([\\s\\S]*?)^${mark}:end \\1 (\\d+)$`,
    'gm',
  );
  for (const m of stdout.matchAll(re)) {
    const code = Number(m[4]);
    result.set(m[1]!, {
      id: m[1]!,
      stdout: dropFramingNewline(m[2]!),
      stderr: dropFramingNewline(m[3]!),
      exitCode: code === GUARD_FAILED ? null : code,
    });
  }
  return result;
}
