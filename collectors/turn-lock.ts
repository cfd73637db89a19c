/**
 * Taking turns on a lock file in $TMPDIR, as a bash function text: shells side by side (a console's and a serve's
 * on one host) that would do the same work take turns, and one that waited reads what the other kept. The lock holds
 * the number of the holding shell ($BASHPID: a round run in a subshell holds it as itself); a lock whose holder is
 * gone from /proc is taken over. Taking it is a write, a moment's nap, then reading it back: of two that wrote at
 * once, the one whose number stayed there goes on. An existing lock must be this user's own and no link.
 * `<name>_turn LOCK LOOKS` waits at most LOOKS looks (50 ms naps) and fails when the turn did not come or the lock
 * holds something other than a number; `<name>_held LOCK` says whether this shell still holds it; `<name>_free LOCK`
 * empties it when this shell holds it (never removed: that would cost a process). `nap SECONDS` is the caller's sleep
 * without a process.
 * Writing and reading back is not an atomic take: a shell held up for longer than the nap between finding the lock
 * free and writing its number can take a turn another has just taken, and both go on. So a turn's work writes only
 * to files of its own shell, and the file kept for the others is written only while `_held` (the last to write its
 * number holds the turn): two rounds at once cost the work twice, never a reading mixed from two.
 */
export function turnLockFunctions(name: string, nap: string): string {
  return `${name}_turn() {
  local l="$1" h n=0
  while [ $n -lt "$2" ]; do
    h=; [ -e "$l" ] && { read -r h <"$l"; } 2>/dev/null
    case $h in *[!0-9]*) return 1 ;; esac
    if [ -n "$h" ] && [ "$h" != "$BASHPID" ] && [ -d "/proc/$h" ]; then ${nap} 0.05; n=$((n + 1)); continue; fi
    if [ -e "$l" ]; then [ -O "$l" ] && [ ! -L "$l" ] && echo "$BASHPID" >|"$l"; else set -C; echo "$BASHPID" >"$l"; set +C; fi 2>/dev/null
    ${nap} 0.01; h=; read -r h <"$l" 2>/dev/null
    [ "$h" = "$BASHPID" ] && return 0
    n=$((n + 1))
  done
  return 1
}
${name}_held() { local h=; read -r h <"$1" 2>/dev/null; [ "$h" = "$BASHPID" ]; }
${name}_free() { ! ${name}_held "$1" || : >|"$1"; }`;
}
