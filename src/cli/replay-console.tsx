import { loadConsoleUi } from '../../components/load-console-ui.js';
import { replayCommands, type ReplayControls } from '../../components/replay-commands.js';
import { StoreContext } from '../../components/store-context.js';
import { Timeline } from '../../components/Timeline.js';
import { COMMANDS } from '../../components/commands.js';
import { INK_MAX_FPS } from '../../components/use-store-frames.js';
import type { Recording } from '../record/recording.js';
import { ReplayPlayer } from '../record/replay-player.js';
import { parseReplayTime } from '../record/replay-time.js';
import { watchTerminal } from './terminal-loss.js';

/** The player as the console steers it. */
function controlsOf(player: ReplayPlayer): ReplayControls {
  let status = { start: player.start, end: player.end, position: player.position, playing: false, speed: 1 };
  player.subscribe(() => {
    status = {
      start: player.start,
      end: player.end,
      position: player.position,
      playing: player.playing,
      speed: player.speed,
    };
  });
  return {
    now: player.now,
    subscribe: player.subscribe,
    status: () => status,
    togglePlay: () => player.togglePlay(),
    faster: (by) => player.faster(by),
    step: (direction, alertsOnly) => player.step(direction, alertsOnly),
    jump: async (text) => {
      const t = parseReplayTime(text, { start: player.start, end: player.end, from: player.position });
      if (!t.ok) return `:at ${t.message}`;
      player.pause();
      await player.seek(t.at);
      return t.at < player.start || t.at > player.end ? ':at: outside the recording, went to its edge' : undefined;
    },
  };
}

/** The normal console on a recording: every view, read-only, its clock the recorded time. */
export async function runReplayConsole(rec: Recording, end: number): Promise<number> {
  const ui = loadConsoleUi();
  const player = new ReplayPlayer(rec, end);
  await player.seek(rec.start);
  // What the files said about themselves (damage) goes to the Events view, as a config warning does.
  const noteEvents = () =>
    rec.notes
      .splice(0)
      .map((message) => ({ at: player.position, severity: 'warn' as const, kind: 'replay-note', message }));
  player.subscribe(() => {
    const notes = noteEvents();
    if (notes.length > 0) player.store.getState().addEvents(notes);
  });
  const controls = controlsOf(player);
  const commands = [...replayCommands(controls), ...COMMANDS];
  const { render, App } = await ui;
  const app = render(
    <StoreContext.Provider value={player.store}>
      <App
        onQuit={() => player.close()}
        onRefresh={() => undefined}
        onTogglePause={() => player.togglePlay()}
        commands={commands}
        clock={{ now: player.now, subscribe: player.subscribe }}
        badge=" REPLAY "
        timeline={(width) => <Timeline replay={controls} width={width} />}
      />
    </StoreContext.Provider>,
    { exitOnCtrlC: false, maxFps: INK_MAX_FPS },
  );
  process.once('SIGTERM', () => app.unmount());
  watchTerminal(() => app.unmount());
  await app.waitUntilExit();
  player.close();
  return 0;
}
