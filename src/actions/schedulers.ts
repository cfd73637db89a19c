import type { CommandSection } from '../../collectors/section.js';
import { KNOWN_SCHEDULERS } from '../../collectors/ipvs-schedulers.js';
import { badInput } from './action-error.js';

export { KNOWN_SCHEDULERS };

export function validateSchedulerName(name: string): string {
  const n = name.trim();
  if (!(KNOWN_SCHEDULERS as readonly string[]).includes(n))
    throw badInput(`scheduler "${name}": unknown; expected one of ${KNOWN_SCHEDULERS.join(' ')}`);
  return n;
}

/**
 * Scheduler modules the running kernel has: shipped as modules, built in, or loaded. Prints module file names and
 * /proc/modules names; parseAvailableSchedulers keeps the scheduler names.
 */
export const SCHEDULERS_SECTION: CommandSection = {
  id: 'schedulers',
  argv: [
    'sh',
    '-c',
    'k=/lib/modules/$(uname -r); ls "$k/kernel/net/netfilter/ipvs/" 2>/dev/null; ' +
      'grep -o "ip_vs_[a-z0-9_]*" "$k/modules.builtin" 2>/dev/null; cut -d " " -f 1 /proc/modules 2>/dev/null; exit 0',
  ],
};

const NOT_SCHEDULERS = /^(ftp|pe_.*|proto.*|)$/;

export function parseAvailableSchedulers(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bip_vs_([a-z0-9_]+?)(?:\.ko(?:\.\w+)?)?$/gm)) {
    if (!NOT_SCHEDULERS.test(m[1]!)) names.add(m[1]!);
  }
  return [...names].sort();
}
