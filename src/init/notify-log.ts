/**
 * The log file a keepalived notify script appends to (`... >>/run/keepalived/notify.log`), when it names exactly one
 * absolute path. Whether its lines are `<unix time> <instance> <STATE>` cannot be told from the script: callers label
 * the result a guess.
 */
export function notifyLogOf(script: string): string | undefined {
  const targets = new Set<string>();
  for (const line of script.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (const m of line.matchAll(/>>\s*["']?(\/[^\s"';|&)]+)/g)) targets.add(m[1]!);
  }
  return targets.size === 1 ? [...targets][0] : undefined;
}
