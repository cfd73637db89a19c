import type { ConsoleCommand } from './console-command-type.js';
import { say } from './command-helpers.js';
import { COMMANDS } from './commands.js';

/** Where a replay is and what it does now, as the timeline line shows it. */
export interface ReplayStatus {
  readonly start: number;
  readonly end: number;
  readonly position: number;
  readonly playing: boolean;
  readonly speed: number;
}

/** A replay as the console steers it: the player implements this, the console never sees the recording. */
export interface ReplayControls {
  readonly now: () => number;
  readonly subscribe: (listener: () => void) => () => void;
  status(): ReplayStatus;
  togglePlay(): void;
  faster(by: 1 | -1): void;
  /** To the next or previous event (or alert); false when there is none that way. */
  step(direction: 1 | -1, alertsOnly: boolean): Promise<boolean>;
  /** Jump to a time as typed (`03:14:05`, `-10m`, an ISO time); the message when it is not one. */
  jump(text: string): Promise<string | undefined>;
}

export const READ_ONLY_REPLAY = 'replay: read-only recording';

/** The replay's own commands, ahead of the console's: its keys win, and every action key says why it does nothing. */
export function replayCommands(replay: ReplayControls): ConsoleCommand[] {
  const step =
    (direction: 1 | -1, alertsOnly: boolean): ConsoleCommand['run'] =>
    (ctx) =>
      void replay
        .step(direction, alertsOnly)
        .then(
          (moved) =>
            moved || say(ctx, `no ${alertsOnly ? 'alert' : 'event'} ${direction > 0 ? 'after' : 'before'} this moment`),
        );
  const dangerous = COMMANDS.filter((c) => c.dangerous);
  return [
    {
      id: 'replay-play',
      keys: ['p', 'space'],
      description: 'replay: play / pause',
      footer: true,
      run: () => replay.togglePlay(),
    },
    { id: 'replay-faster', keys: ['>', '.'], description: 'replay: faster (up to ×64)', run: () => replay.faster(1) },
    { id: 'replay-slower', keys: ['<', ','], description: 'replay: slower (down to ×1)', run: () => replay.faster(-1) },
    { id: 'replay-next-event', keys: [']'], description: 'replay: next event', footer: true, run: step(1, false) },
    { id: 'replay-prev-event', keys: ['['], description: 'replay: previous event', run: step(-1, false) },
    { id: 'replay-next-alert', keys: ['}'], description: 'replay: next alert', footer: true, run: step(1, true) },
    { id: 'replay-prev-alert', keys: ['{'], description: 'replay: previous alert', run: step(-1, true) },
    {
      id: 'replay-at',
      keys: [],
      words: ['at'],
      description: 'replay: jump to a time (:at 03:14:05, :at -10m, :at +1h)',
      run: (ctx, arg) =>
        arg === undefined
          ? ctx.dispatch({ type: 'mode', mode: 'command', input: 'at ' })
          : void replay.jump(arg).then((problem) => problem && say(ctx, problem, 'critical')),
    },
    {
      id: 'replay-refresh',
      keys: ['r'],
      description: 'replay: nothing to refresh',
      run: (ctx) => say(ctx, 'replay: a recording does not refresh'),
    },
    {
      id: 'replay-read-only',
      keys: dangerous.flatMap((c) => c.keys),
      words: dangerous.flatMap((c) => c.words ?? []),
      description: `action keys: ${READ_ONLY_REPLAY}`,
      run: (ctx) => say(ctx, READ_ONLY_REPLAY),
    },
  ];
}
