import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNotifyLog } from '../../collectors/keepalived-notify.js';
import { mergeNotifyHistory, NOTIFY_HISTORY } from './notify-history.js';

// director1's notify log in the lab's failover capture (test/fixtures/failover): five lines, the last its STOP.
const lines = parseNotifyLog(
  readFileSync(
    resolve(import.meta.dirname, '../../test/fixtures/failover/director1/keepalived-notify-log.txt'),
    'utf8',
  ),
);

describe('notify history across polls', () => {
  it('keeps one copy of a line read again and adds what is new', () => {
    const first = mergeNotifyHistory(undefined, lines.slice(0, 3));
    expect(mergeNotifyHistory(first, lines.slice(1))).toEqual(lines);
    expect(mergeNotifyHistory(lines, lines)).toEqual(lines);
  });

  it('keeps what was read before a log rotation, and a line written twice twice', () => {
    expect(mergeNotifyHistory(lines.slice(0, 4), lines.slice(4))).toEqual(lines);
    const twice = [lines[0]!, lines[0]!];
    expect(mergeNotifyHistory([lines[0]!], twice)).toEqual(twice);
    expect(mergeNotifyHistory(lines, [])).toEqual(lines);
  });

  it('is bounded to the newest lines', () => {
    const many = Array.from({ length: NOTIFY_HISTORY + 30 }, (_, i) => ({
      at: 1795288000 + i,
      instance: 'V',
      state: 'BACKUP',
    }));
    const kept = mergeNotifyHistory(many.slice(0, 80), many.slice(60));
    expect(kept).toHaveLength(NOTIFY_HISTORY);
    expect(kept.at(-1)).toEqual(many.at(-1));
  });
});
