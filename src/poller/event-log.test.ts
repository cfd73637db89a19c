import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LvsEvent } from '../store/store-types.js';
import { appendEvents, readEventTail } from './event-log.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempLog = () => {
  const d = mkdtempSync(join(tmpdir(), 'lvstop-events-'));
  dirs.push(d);
  return join(d, 'state', 'events.jsonl');
};
const event = (i: number): LvsEvent => ({
  at: Date.parse('2026-11-22T00:00:00Z') + i * 1000,
  severity: i % 2 ? 'warn' : 'info',
  host: 'director1',
  kind: 'weight-changed',
  message: `event ${i} ${'x'.repeat(100)}`,
});

describe('event log', () => {
  it('appends JSON lines to a 0600 file in a 0700 directory and reads the tail back', async () => {
    const file = tempLog();
    await appendEvents(file, [event(1), event(2)]);
    await appendEvents(file, [event(3)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(await readEventTail(file, 2)).toEqual([event(2), event(3)]);
  });

  it('stays under its bound by rotating, however many events are written', async () => {
    const file = tempLog();
    const bound = 20_000;
    for (let i = 0; i < 1000; i += 10)
      await appendEvents(
        file,
        Array.from({ length: 10 }, (_, k) => event(i + k)),
        bound,
      );
    const line = JSON.stringify({ ...event(999), at: new Date(event(999).at).toISOString() }).length + 1;
    expect(statSync(file).size).toBeLessThan(bound + 10 * line);
    expect(statSync(`${file}.1`).size).toBeLessThan(bound + 10 * line);
    const tail = await readEventTail(file, 5);
    expect(tail.map((e) => e.message.split(' ')[1])).toEqual(['995', '996', '997', '998', '999']);
  });

  it('skips lines that are not events (garbage, null, a cut line) and reads nothing from a missing file', async () => {
    const file = tempLog();
    await appendEvents(file, [event(1)]);
    appendFileSync(file, 'null\nnot json\n{"at":"never","kind":"x","message":"m","severity":"info"}\n[1,2]\n');
    await appendEvents(file, [event(2)]);
    expect(await readEventTail(file, 10)).toEqual([event(1), event(2)]);
    expect(await readEventTail(join(file, '..', 'missing.jsonl'), 10)).toEqual([]);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(6);
  });
});
