import type { ActionErrorKind } from './action-error.js';
import type { ActionOutcome } from './action-types.js';

/**
 * Exit codes of the headless action commands (README.md in this folder). `badInput` is also every command's exit
 * code for an invalid config or command-line value: the one name for 2.
 */
export const EXIT = {
  done: 0,
  host: 1,
  badInput: 2,
  refused: 3,
  compareAndSet: 4,
  verifyFailed: 5,
} as const;

export function exitCodeOfOutcome(outcome: ActionOutcome): number {
  switch (outcome) {
    case 'ok':
      return EXIT.done;
    case 'verify-failed':
      return EXIT.verifyFailed;
    case 'aborted-cas':
      return EXIT.compareAndSet;
    case 'refused-guard':
    case 'refused-read-only':
      return EXIT.refused;
    case 'error':
      return EXIT.host;
  }
}

export function exitCodeOfError(kind: ActionErrorKind): number {
  switch (kind) {
    case 'bad-input':
      return EXIT.badInput;
    case 'refused':
      return EXIT.refused;
    case 'nothing-to-do':
      return EXIT.done;
    case 'host':
      return EXIT.host;
  }
}
