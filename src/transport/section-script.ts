import { createHash } from 'node:crypto';
import {
  UNCHANGED,
  type CommandSection,
  type FileSection,
  type ProcessSection,
  type ScriptSection,
  type Section,
  type SectionOutput,
} from '../../collectors/section.js';
import { quoteArg } from './command-line.js';
import { HELPERS, HELPERS_ID } from './section-helpers.js';

export const GUARD_FAILED = 200;

const cmd = (argv: readonly string[]) => argv.map(quoteArg).join(' ');

/** Shell variable names for one section's remembered state. */
const varName = (prefix: string, id: string) => `${prefix}_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

export interface SectionScriptOptions {
  /** Sections with `unlessUnchanged` whose last output the caller still holds: only these may answer UNCHANGED. */
  readonly cached?: ReadonlySet<string>;
}

function fileBody(s: FileSection): string {
  const f = quoteArg(s.file);
  const read = s.lastLines ? `lv_tail ${f} ${s.lastLines}` : s.maxLines ? `rbn ${f} ${s.maxLines}` : `rb ${f}`;
  // A file outside /proc and /sys can be on a network filesystem that hangs: what came before it goes out first.
  const flush = /^\/(proc|sys)\//.test(s.file) ? '' : 'lv_fl; ';
  return `${flush}if [ -r ${f} ]; then ${read} 2>"$t"; rc=$?; else echo ${quoteArg(`cannot read ${s.file}`)} >"$t"; rc=1; fi`;
}

function scriptBody(s: ScriptSection, index: number): string {
  const args = s.args.map(quoteArg).join(' ');
  if (!s.inline) return `lv_fl; (\nset -- ${args}\n${s.script}\n) </dev/null 2>"$t"; rc=$?`;
  const fn = `lvstop_s${index}`;
  return `${fn}() {\n${s.script}\n}\nlv_fl; ${fn} ${args} </dev/null 2>"$t"; rc=$?`;
}

/**
 * pgrep -x: /proc/PID/comm holds at most 15 characters of the name. The process found is remembered in a shell
 * variable: while it runs under that name, the next poll reads its one comm file instead of every process's (a real
 * server with a few thousand workers would otherwise cost a few thousand opens a poll). When it is gone, all are read.
 */
function processBody(s: ProcessSection): string {
  const name = quoteArg(s.processNamed.slice(0, 15));
  const v = varName('LV_PID', s.id);
  return [
    `rc=1; : >"$t"; c=; p=\${${v}:-}; `,
    `if [ -n "$p" ] && { IFS= read -r c <"/proc/$p/comm"; } 2>/dev/null && [ "$c" = ${name} ]; then lv_p "$p"; rc=0; `,
    `else ${v}=; for p in /proc/[0-9]*; do c=; IFS= read -r c <"$p/comm" 2>/dev/null || continue; `,
    `[ "$c" = ${name} ] && { lv_p "\${p#/proc/}"; ${v}=\${p#/proc/}; rc=0; }; done; fi`,
  ].join('');
}

function commandBody(s: CommandSection, cached: ReadonlySet<string>): string {
  const u = s.unlessUnchanged;
  const share = s.shared && !u ? `lv_sh ${s.id.replace(/[^A-Za-z0-9_.-]/g, '_')} ` : '';
  const run = `lv_fl; ${share}${s.timeoutSec ? `timeout -s KILL ${s.timeoutSec} ` : ''}${cmd(s.argv)} </dev/null 2>"$t"; rc=$?`;
  if (!u) return run;
  const sig = varName('LV_SIG', s.id);
  const at = varName('LV_AT', s.id);
  const files = u.files.map((f) => (/[*?[]/.test(f) ? f.replace(/[^A-Za-z0-9_./*?[\]-]/g, '') : quoteArg(f))).join(' ');
  return [
    cached.has(s.id) ? '' : `unset ${sig}; `,
    `if [ -n "\${BASH_VERSION:-}" ]; then lv_sig ${files}; fi; `,
    `if [ -n "\${BASH_VERSION:-}" ] && [ "\${${sig}-unset}" = "$LV_S" ] && [ $((SECONDS - \${${at}:-0})) -lt ${u.refreshSec} ]; `,
    `then : >"$t"; rc=${UNCHANGED}; `,
    `else ${run}; if [ $rc -eq 0 ] && [ -n "\${BASH_VERSION:-}" ]; then ${sig}=$LV_S; ${at}=$SECONDS; else unset ${sig}; fi; fi`,
  ].join('');
}

/** A section id in a marker: printed verbatim, so it must be plain. */
const SAFE_ID = /^[A-Za-z0-9_.:/@+=-]+$/;

/**
 * A poll as a shell function, defined once per shell and called with a nonce each poll. Bash reads a script from a
 * pipe one byte at a time (it must not read past a command that reads stdin): resending an 8 KB poll every interval
 * would cost 8,000 reads each time, where a call costs a line.
 */
export interface SectionPoll {
  /** `lvstop_poll_<hash of the definition>`: the same sections and options give the same name. */
  readonly name: string;
  readonly definition: string;
  /** The line that runs the poll; its markers carry `nonce`. */
  call(nonce: string): string;
}

/**
 * A POSIX sh function that runs every section and frames its stdout, stderr and exit code with nonce markers. It
 * ends with `return`, never `exit`, so it can run in the poll's long-lived shell itself (no subshell). Files are read
 * and stderr is replayed with builtins (`read`, `printf`), so the poll starts as few processes as it can: under bash,
 * only the commands that must run (ipvsadm, and `ip` when an address can have changed).
 */
export function sectionPoll(sections: readonly Section[], options: SectionScriptOptions = {}): SectionPoll {
  const cached = options.cached ?? new Set<string>();
  const mark = (what: string) => `"@@LVSTOP:$lv_n:"${quoteArg(what)}`;
  const body = [
    'lv_n=$1; LV_B=',
    // When the poll began (µs), under bash: a shared command's reading begun since is as fresh as its own run.
    `[ -z "\${BASH_VERSION:-}" ] || eval 'LV_T0=\${EPOCHREALTIME/[.,]/}'`,
    // Files left by polls that were killed (their trap never ran) go once the shell that made them is gone. The glob
    // reads the whole directory (a busy host's /tmp can hold thousands of files): under bash once a minute.
    `d="\${TMPDIR:-/tmp}"`,
    `if [ -z "\${BASH_VERSION:-}" ] || [ $((SECONDS - \${LV_SWEPT:--60})) -ge 60 ]; then LV_SWEPT=\${SECONDS:-0}`,
    `for f in "$d"/.lvstop-[0-9]* "$d"/.lvstop-ka-[0-9]*; do p=\${f#"$d"/.lvstop-}; p=\${p#ka-}; p=\${p%%[!0-9]*}; [ -O "$f" ] && [ ! -d "/proc/$p" ] && rm -f "$f"; done; fi`,
    // One stderr file per shell ($$ is the poll's shell, also in a subshell): the next poll reuses it.
    `t="$d/.lvstop-$$"`,
    `if [ -O "$t" ] && [ ! -L "$t" ]; then : >|"$t"; else set -C; : >"$t" || { set +C; return 97; }; set +C; fi`,
    `trap 'rm -f "$t" "$t-o"' EXIT`,
    // Defined by the shell's first poll: every poll's helpers are the same, and parsing them again costs each poll.
    `if [ "\${LV_HELPERS:-}" != ${HELPERS_ID} ]; then`,
    ...HELPERS,
    `LV_HELPERS=${HELPERS_ID}; fi`,
  ];
  sections.forEach((s, i) => {
    if (!SAFE_ID.test(s.id)) throw new Error(`section id ${JSON.stringify(s.id)} cannot be framed`);
    const run =
      'file' in s
        ? fileBody(s)
        : 'script' in s
          ? scriptBody(s, i)
          : 'processNamed' in s
            ? processBody(s)
            : commandBody(s, cached);
    const guard = 'guard' in s ? s.guard : undefined;
    const next = sections[i + 1];
    body.push(
      ...(i === 0 ? [`lv_p ${mark(`begin ${s.id}`)}`] : []),
      guard ? `if ${cmd(guard)} >/dev/null 2>&1; then ${run}; else : >"$t"; rc=${GUARD_FAILED}; fi` : run,
      // An empty stderr (nearly always) is told by a stat, not read.
      `lv_fr ${mark('stderr')} ${mark(`end ${s.id} `)} "$rc" ${next ? mark(`begin ${next.id}`) : "''"}`,
    );
  });
  body.push('lv_fl');
  const text = body.join('\n');
  const name = `lvstop_poll_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  return {
    name,
    definition: `${name}() {\n${text}\n}`,
    call: (nonce) => {
      if (!/^[A-Za-z0-9]+$/.test(nonce)) throw new Error('a poll nonce is letters and digits');
      return `${name} ${nonce}`;
    },
  };
}

/** The whole poll as one script (a fresh `sh -c`, or a test): the definition, then the call. */
export function buildSectionScript(
  sections: readonly Section[],
  nonce: string,
  options: SectionScriptOptions = {},
): string {
  const poll = sectionPoll(sections, options);
  return `${poll.definition}\n${poll.call(nonce)}`;
}

/**
 * Sections whose command may be skipped when what it reads has not changed (`unlessUnchanged`): their ids, and the
 * last successful output of each, which an UNCHANGED answer stands for.
 */
export interface KeptSections {
  readonly ids: ReadonlySet<string>;
  readonly outputs: Map<string, SectionOutput>;
}

/** The kept sections of a poll: outputs of sections it no longer runs are dropped. */
export function keptSections(sections: readonly Section[], outputs: Map<string, SectionOutput>): KeptSections {
  const ids = new Set(sections.filter((s) => 'argv' in s && s.unlessUnchanged).map((s) => s.id));
  for (const id of outputs.keys()) if (!ids.has(id)) outputs.delete(id);
  return { ids, outputs };
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

  private readonly kept: KeptSections | undefined;

  /** `kept`: sections that may answer UNCHANGED, and their last full output (see KeptSections). */
  constructor(nonce: string, onSection: (out: SectionOutput) => void = () => undefined, kept?: KeptSections) {
    this.mark = `@@LVSTOP:${nonce}:`;
    this.onSection = onSection;
    this.kept = kept;
  }

  private keep(out: SectionOutput): SectionOutput {
    const kept = this.kept;
    if (!kept?.ids.has(out.id)) return out;
    if (out.exitCode === UNCHANGED)
      return (
        kept.outputs.get(out.id) ?? {
          id: out.id,
          stdout: '',
          stderr: 'reported unchanged, but no earlier reading is kept',
          exitCode: 1,
        }
      );
    if (out.exitCode === 0) kept.outputs.set(out.id, out);
    else kept.outputs.delete(out.id);
    return out;
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
        const out: SectionOutput = this.keep({
          id: c.id,
          // The lines before a marker end with the framing `echo`'s newline: joined, they are exactly what was printed.
          stdout: c.stdout.join('\n'),
          stderr: c.stderr.join('\n'),
          exitCode: code === GUARD_FAILED ? null : code,
        });
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
