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

export const GUARD_FAILED = 200;

const cmd = (argv: readonly string[]) => argv.map(quoteArg).join(' ');

/** Shell variable names for one section's remembered state. */
const varName = (prefix: string, id: string) => `${prefix}_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

/**
 * Helpers each poll defines. Under bash (the poll's shell where the host has it) they start no process: `read -t`
 * on a FIFO that never has data sleeps (making the FIFO costs two processes once per shell), `mapfile` keeps a log's
 * last lines, `read -N` reads a file whole. Under a plain sh they fall back to `sleep`, `tail` and always running the
 * command. The bash bodies are `eval`ed: dash must not parse them.
 */
const HELPERS = [
  // A section's trailer (its stderr, if any, and its end marker) and the next section's begin marker in one write: a
  // write to the poll's stdout wakes sshd, and each wake costs a busy host more than the bytes do. The newlines are in
  // printf's argument, not its format: bash's stdout is line-buffered, and a format's every newline is a write.
  `lv_nl='\n'`,
  `lv_fr() { if [ -s "$t" ]; then printf '%s' "$lv_nl$1$lv_nl"; rd "$t"; lv_h=$lv_nl; else lv_h="$lv_nl$1$lv_nl$lv_nl"; fi; `,
  `printf '%s' "$lv_h$2$3$lv_nl\${4:+$4$lv_nl}"; }`,
  `rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }`,
  `rdn() { n=$2; while [ $n -gt 0 ] && { IFS= read -r l || [ -n "$l" ]; }; do printf '%s\\n' "$l"; n=$((n-1)); done <"$1"; }`,
  `if [ -n "\${BASH_VERSION:-}" ]; then eval '`,
  // A FIFO opened read-write has a writer (this shell) and never any data: made once per shell, it is removed at once.
  `lv_sleep() { [ -n "\${LV_SLEEP_FD:-}" ] || lv_sleep_fd || { sleep "$1"; return 0; }; read -r -t "$1" -u "$LV_SLEEP_FD" _; return 0; }`,
  `lv_sleep_fd() { local f="\${TMPDIR:-/tmp}/.lvstop-fifo-$$"; { mkfifo -m 600 "$f" || { rm -f "$f"; mkfifo -m 600 "$f"; }; } 2>/dev/null && exec {LV_SLEEP_FD}<>"$f"; rm -f "$f"; [ -n "\${LV_SLEEP_FD:-}" ]; }`,
  // A whole file in one read (sh's `read` takes a byte at a time; bash line by line would ask /proc to render the
  // file again for every line). The last line gets its newline, as the line loop gives it.
  `rd() { local v=; IFS= read -r -d "" v <"$1"; printf "%s" "$v"; case $v in ""|*"\n") ;; *) echo ;; esac; }`,
  // Lines joined in one argument: one write, where a format's newline would be a write per line.
  `rdn() { local a IFS="$lv_nl"; mapfile -t -n "$2" a <"$1" || return 1; [ \${#a[@]} -eq 0 ] || printf "%s" "\${a[*]}$lv_nl"; }`,
  `lv_cat() { rd "$1"; }`,
  `lv_tail() { local a s IFS="$lv_nl"; mapfile -t a <"$1" || return 1; s=$(( \${#a[@]} > $2 ? \${#a[@]} - $2 : 0 )); [ \${#a[@]} -eq 0 ] || printf "%s" "\${a[*]:s}$lv_nl"; }`,
  // A file over 64 KiB (a director routing a full table) is never "unchanged": the command runs as before.
  `lv_sig() { local f v; LV_S=; for f in "$@"; do [ -r "$f" ] || continue; v=; IFS= read -r -N 65536 v <"$f"; [ \${#v} -lt 65536 ] || v=$SECONDS.$RANDOM; LV_S+="$f:$v"; done; }'`,
  `else`,
  `lv_sleep() { sleep "$1"; }`,
  `lv_cat() { rd "$1"; }`,
  `lv_tail() { tail -n "$2" -- "$1"; }`,
  `fi`,
];

/** The helpers' version: a shell that has these defines them no more. */
const HELPERS_ID = createHash('sha256').update(HELPERS.join('\n')).digest('hex').slice(0, 12);

export interface SectionScriptOptions {
  /** Sections with `unlessUnchanged` whose last output the caller still holds: only these may answer UNCHANGED. */
  readonly cached?: ReadonlySet<string>;
}

function fileBody(s: FileSection): string {
  const f = quoteArg(s.file);
  const read = s.lastLines ? `lv_tail ${f} ${s.lastLines}` : s.maxLines ? `rdn ${f} ${s.maxLines}` : `rd ${f}`;
  return `if [ -r ${f} ]; then ${read} 2>"$t"; rc=$?; else echo ${quoteArg(`cannot read ${s.file}`)} >"$t"; rc=1; fi`;
}

function scriptBody(s: ScriptSection, index: number): string {
  const args = s.args.map(quoteArg).join(' ');
  if (!s.inline) return `(\nset -- ${args}\n${s.script}\n) </dev/null 2>"$t"; rc=$?`;
  const fn = `lvstop_s${index}`;
  return `${fn}() {\n${s.script}\n}\n${fn} ${args} </dev/null 2>"$t"; rc=$?`;
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
    `if [ -n "$p" ] && { IFS= read -r c <"/proc/$p/comm"; } 2>/dev/null && [ "$c" = ${name} ]; then echo "$p"; rc=0; `,
    `else ${v}=; for p in /proc/[0-9]*; do c=; IFS= read -r c <"$p/comm" 2>/dev/null || continue; `,
    `[ "$c" = ${name} ] && { echo "\${p#/proc/}"; ${v}=\${p#/proc/}; rc=0; }; done; fi`,
  ].join('');
}

function commandBody(s: CommandSection, cached: ReadonlySet<string>): string {
  const run = `${s.timeoutSec ? `timeout -s KILL ${s.timeoutSec} ` : ''}${cmd(s.argv)} </dev/null 2>"$t"; rc=$?`;
  const u = s.unlessUnchanged;
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
    'lv_n=$1',
    // Files left by polls that were killed (their trap never ran) go once the shell that made them is gone. The glob
    // reads the whole directory (a busy host's /tmp can hold thousands of files): under bash once a minute.
    `d="\${TMPDIR:-/tmp}"`,
    `if [ -z "\${BASH_VERSION:-}" ] || [ $((SECONDS - \${LV_SWEPT:--60})) -ge 60 ]; then LV_SWEPT=\${SECONDS:-0}`,
    `for f in "$d"/.lvstop-[0-9]* "$d"/.lvstop-ka-[0-9]*; do p=\${f#"$d"/.lvstop-}; p=\${p#ka-}; p=\${p%%[!0-9]*}; [ -O "$f" ] && [ ! -d "/proc/$p" ] && rm -f "$f"; done; fi`,
    // One stderr file per shell ($$ is the poll's shell, also in a subshell): the next poll reuses it.
    `t="$d/.lvstop-$$"`,
    `if [ -O "$t" ] && [ ! -L "$t" ]; then : >|"$t"; else set -C; : >"$t" || { set +C; return 97; }; set +C; fi`,
    `trap 'rm -f "$t"' EXIT`,
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
      ...(i === 0 ? [`printf '%s\\n' ${mark(`begin ${s.id}`)}`] : []),
      guard ? `if ${cmd(guard)} >/dev/null 2>&1; then ${run}; else : >"$t"; rc=${GUARD_FAILED}; fi` : run,
      // An empty stderr (nearly always) is told by a stat, not read.
      `lv_fr ${mark('stderr')} ${mark(`end ${s.id} `)} "$rc" ${next ? mark(`begin ${next.id}`) : "''"}`,
    );
  });
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
