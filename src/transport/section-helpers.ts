import { createHash } from 'node:crypto';

/**
 * Helpers each poll defines. Under bash (the poll's shell where the host has it) they start no process: `read -t`
 * on a FIFO that never has data sleeps (making the FIFO costs two processes once per shell), `mapfile` keeps a log's
 * last lines, `read -N` reads a file whole. Under a plain sh they fall back to `sleep`, `tail` and always running the
 * command. The bash bodies are `eval`ed: dash must not parse them.
 */
export const HELPERS: readonly string[] = [
  // A section's trailer (its stderr, if any, and its end marker) and the next section's begin marker in one write: a
  // write to the poll's stdout wakes sshd, and each wake costs a busy host more than the bytes do. The newlines are in
  // printf's argument, not its format: bash's stdout is line-buffered, and a format's every newline is a write.
  `lv_nl='\n'`,
  `lv_fr() { if [ -s "$t" ]; then printf '%s' "$lv_nl$1$lv_nl"; rd "$t"; lv_h=$lv_nl; else lv_h="$lv_nl$1$lv_nl$lv_nl"; fi; `,
  `printf '%s' "$lv_h$2$3$lv_nl\${4:+$4$lv_nl}"; }`,
  `rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }`,
  `rdn() { n=$2; while [ $n -gt 0 ] && { IFS= read -r l || [ -n "$l" ]; }; do printf '%s\\n' "$l"; n=$((n-1)); done <"$1"; }`,
  // Output of the quick sections (files, markers): under bash gathered and written at once before a section that
  // runs something (a command, a script) and at the end; under sh written as it comes.
  `lv_fl() { :; }; lv_p() { printf '%s\\n' "$1"; }; rb() { rd "$1"; }; rbn() { rdn "$1" "$2"; }`,
  `if [ -n "\${BASH_VERSION:-}" ]; then eval '`,
  // Every write to the poll's stdout wakes sshd, and on a busy host each wake costs it about as much CPU as the
  // poll's own reads: a director's poll is a handful of writes, not one or two a section.
  `lv_fl() { [ -z "$LV_B" ] || { printf "%s" "$LV_B"; LV_B=; }; }; lv_p() { LV_B+="$1$lv_nl"; }`,
  `lv_fr() { if [ -s "$t" ]; then LV_B+="$lv_nl$1$lv_nl"; rb "$t"; lv_h=$lv_nl; else lv_h="$lv_nl$1$lv_nl$lv_nl"; fi; `,
  `LV_B+="$lv_h$2$3$lv_nl\${4:+$4$lv_nl}"; }`,
  `rb() { local v=; IFS= read -r -d "" v <"$1"; LV_B+=$v; case $v in ""|*"\n") ;; *) LV_B+=$lv_nl ;; esac; }`,
  `rbn() { local a IFS="$lv_nl"; mapfile -t -n "$2" a <"$1" || return 1; [ \${#a[@]} -eq 0 ] || LV_B+="\${a[*]}$lv_nl"; }`,
  // A FIFO opened read-write has a writer (this shell) and never any data: made once per shell, it is removed at once.
  `lv_sleep() { [ -n "\${LV_SLEEP_FD:-}" ] || lv_sleep_fd || { sleep "$1"; return 0; }; read -r -t "$1" -u "$LV_SLEEP_FD" _; return 0; }`,
  `lv_sleep_fd() { local f="\${TMPDIR:-/tmp}/.lvstop-fifo-$$"; { mkfifo -m 600 "$f" || { rm -f "$f"; mkfifo -m 600 "$f"; }; } 2>/dev/null && exec {LV_SLEEP_FD}<>"$f"; rm -f "$f"; [ -n "\${LV_SLEEP_FD:-}" ]; }`,
  // A whole file in one read (sh's `read` takes a byte at a time; bash line by line would ask /proc to render the
  // file again for every line). The last line gets its newline, as the line loop gives it.
  `rd() { local v=; IFS= read -r -d "" v <"$1"; printf "%s" "$v"; case $v in ""|*"\n") ;; *) echo ;; esac; }`,
  // Lines joined in one argument: one write, where a format's newline would be a write per line.
  `rdn() { local a IFS="$lv_nl"; mapfile -t -n "$2" a <"$1" || return 1; [ \${#a[@]} -eq 0 ] || printf "%s" "\${a[*]}$lv_nl"; }`,
  `lv_cat() { rd "$1"; }`,
  `lv_tail() { local a s IFS="$lv_nl"; mapfile -t a <"$1" || return 1; s=$(( \${#a[@]} > $2 ? \${#a[@]} - $2 : 0 )); [ \${#a[@]} -eq 0 ] || LV_B+="\${a[*]:s}$lv_nl"; }`,
  // A file over 64 KiB (a director routing a full table) is never "unchanged": the command runs as before.
  // A shared command (CommandSection.shared) under a lock of its own: the reading another poller's command began
  // after this poll began (LV_T0) is printed, else the command runs and its clean output is kept with its start time.
  // The command writes to this shell's own file ($t-o), and the kept file is written only while the lock still names
  // this shell: two pollers that both took the turn (see turnLockFunctions) each print their own reading.
  `lv_sh() { local f="\${TMPDIR:-/tmp}/.lvstop-c-$1" o="$t-o" v= h= s=0 n=0 rc; shift; while :; do h=; [ -e "$f.lock" ] && { read -r h <"$f.lock"; } 2>/dev/null`,
  `case $h in "") ;; *[!0-9]*) "$@"; return ;; *) if [ "$h" != "$$" ] && [ -d "/proc/$h" ]; then [ $n -lt \${LV_SH_LOOKS:-30} ] || { "$@"; return; }; n=$((n + 1)); lv_sleep 0.05; continue; fi ;; esac`,
  `if [ -e "$f.lock" ]; then [ -O "$f.lock" ] && [ ! -L "$f.lock" ] && echo "$$" >|"$f.lock"; else set -C; echo "$$" >"$f.lock"; set +C; fi 2>/dev/null`,
  `lv_sleep 0.01; h=; read -r h <"$f.lock" 2>/dev/null; [ "$h" = "$$" ] && break; [ $n -lt \${LV_SH_LOOKS:-30} ] || { "$@"; return; }; n=$((n + 1)); done`,
  `[ -e "$f" ] || { set -C; : >"$f"; set +C; } 2>/dev/null`,
  `if [ -O "$f" ] && [ ! -L "$f" ]; then IFS= read -r -d "" v <"$f"; case $v in *"$lv_nl@@lvstop-read "*) s=\${v##*@@lvstop-read }; s=\${s%"$lv_nl"}; case $s in ""|*[!0-9]*) s=0 ;; esac ;; esac`,
  // Begun since this poll began, and not after now (a clock set back must not make an old reading pass for new).
  `h=\${EPOCHREALTIME/[.,]/}; if [ "$s" -gt 0 ] && [ "$s" -ge "\${LV_T0:-0}" ] && [ "$s" -le "\${h:-0}" ]; then LV_B+=\${v%"$lv_nl@@lvstop-read "*}; rc=0`,
  `elif { [ -O "$o" ] || [ ! -e "$o" ]; } && [ ! -L "$o" ]; then s=\${EPOCHREALTIME/[.,]/}; "$@" >|"$o"; rc=$?; v=; IFS= read -r -d "" v <"$o"; LV_B+=$v`,
  `h=; read -r h <"$f.lock" 2>/dev/null; [ $rc -ne 0 ] || [ -s "$t" ] || [ "$h" != "$$" ] || printf "%s\n@@lvstop-read %s\n" "$v" "$s" >|"$f"`,
  `else "$@"; rc=$?; fi; else "$@"; rc=$?; fi`,
  `h=; read -r h <"$f.lock" 2>/dev/null; [ "$h" != "$$" ] || : >|"$f.lock"; return $rc; }`,
  `lv_sig() { local f v; LV_S=; for f in "$@"; do [ -r "$f" ] || continue; v=; IFS= read -r -N 65536 v <"$f"; [ \${#v} -lt 65536 ] || v=$SECONDS.$RANDOM; LV_S+="$f:$v"; done; }'`,
  `else`,
  `lv_sleep() { sleep "$1"; }`,
  `lv_sh() { shift; "$@"; }`,
  `lv_cat() { rd "$1"; }`,
  `lv_tail() { tail -n "$2" -- "$1"; }`,
  `fi`,
];

/** The helpers' version: a shell that has these defines them no more. */
export const HELPERS_ID = createHash('sha256').update(HELPERS.join('\n')).digest('hex').slice(0, 12);
