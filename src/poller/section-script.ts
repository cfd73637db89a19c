import { quoteArg } from '../transport/command-line.js';
import type { Section, SectionOutput } from '../../collectors/section.js';

export const GUARD_FAILED = 200;

const cmd = (argv: readonly string[]) => argv.map(quoteArg).join(' ');

/** A POSIX sh script that runs every section and frames its stdout, stderr and exit code with nonce markers. */
export function buildSectionScript(sections: readonly Section[], nonce: string): string {
  const mark = `@@LVSTOP:${nonce}`;
  const out = ['t=$(mktemp) || exit 97', `trap 'rm -f "$t"' EXIT`];
  for (const s of sections) {
    const run = s.timeoutSec ? `timeout -s KILL ${s.timeoutSec} ${cmd(s.argv)}` : cmd(s.argv);
    out.push(`echo '${mark}:begin ${s.id}'`);
    const body = `${run} </dev/null 2>"$t"; rc=$?`;
    out.push(s.guard ? `if ${cmd(s.guard)} >/dev/null 2>&1; then ${body}; else : >"$t"; rc=${GUARD_FAILED}; fi` : body);
    out.push(`echo; echo '${mark}:stderr'; cat "$t"; echo; echo "${mark}:end ${s.id} $rc"`);
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
