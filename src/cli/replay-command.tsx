import { buildSnapshot } from '../model/snapshot.js';
import { Recording, RecordingError } from '../record/recording.js';
import { recordedTimeline, recordingSummary, timelineLine } from '../record/recording-report.js';
import { parseReplayTime } from '../record/replay-time.js';

export interface ReplayOptions {
  readonly at?: string;
  readonly json?: boolean;
  readonly events?: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly summary?: boolean;
}

const EXIT_BAD_INPUT = 2;

function fail(message: string): number {
  process.stderr.write(`lvstop replay: ${message}\n`);
  return EXIT_BAD_INPUT;
}

/** `lvstop replay FILE|DIR...`: the console on a recording, or headless (`--at --json`, `--events`, `--summary`). */
export async function runReplay(paths: readonly string[], options: ReplayOptions): Promise<number> {
  let rec: Recording;
  try {
    rec = await Recording.open(paths);
  } catch (err) {
    if (err instanceof RecordingError) return fail(err.message);
    throw err;
  }
  const end = await rec.end();
  const span = { start: rec.start, end };
  const timeOf = (option: string, text: string | undefined) => {
    if (text === undefined) return { ok: true as const, at: undefined };
    const t = parseReplayTime(text, span);
    return t.ok ? t : { ok: false as const, message: `${option} ${t.message}` };
  };
  const at = timeOf('--at', options.at);
  const from = timeOf('--from', options.from);
  const to = timeOf('--to', options.to);
  for (const t of [at, from, to]) if (!t.ok) return fail(t.message);
  const notes = () => {
    for (const n of rec.notes) process.stderr.write(`lvstop replay: note: ${n}\n`);
  };
  if (options.summary || options.events) {
    const lines = options.summary
      ? await recordingSummary(rec)
      : (await recordedTimeline(rec, from.at, to.at)).map((e) => timelineLine(e, rec.sites.length));
    process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    notes();
    return 0;
  }
  if (options.json || at.at !== undefined) {
    if (at.at === undefined) return fail('--json needs --at TIME');
    const moment = at.at;
    if (moment < span.start || moment > span.end)
      return fail(
        `--at ${options.at}: outside the recording (${new Date(span.start).toISOString()} to ${new Date(span.end).toISOString()})`,
      );
    const { store } = await rec.stateAt(moment);
    process.stdout.write(
      `${JSON.stringify({ ...buildSnapshot(store.getState(), moment), recordedAt: new Date(moment).toISOString() }, null, 2)}\n`,
    );
    notes();
    return 0;
  }
  const { runReplayConsole } = await import('./replay-console.js');
  return runReplayConsole(rec, end);
}
