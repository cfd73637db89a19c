import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fixture, testContext } from '../../test/support/action-fixtures.js';
import { ScriptedDirector } from '../../test/support/scripted-director.js';
import { DRAIN_REAL1 } from '../../test/support/scripted-nat.js';
import { auditViewOf, loadAuditTail } from '../audit-view.js';
import { AUDIT_TAIL_BYTES, auditRecord, fileAuditLog, readFileTail } from './audit-log.js';
import { fileDrainMemory } from './drain-memory.js';
import { planWeight } from '../../test/support/plan-actions.js';
import { runAction } from './run-action.js';
import { lastSentAction } from './undo.js';

const dir = mkdtempSync(join(tmpdir(), 'lvstop-audit-fail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A NAT director whose ipvsadm -e changes what the next read returns (weight 1 → 0 for real1). */
function natDirector(): ScriptedDirector {
  const t = new ScriptedDirector('nat-director', {
    'ipvs-list': fixture('healthy/nat-director/ipvsadm-Ln.txt'),
    'ipvs-thresholds': fixture('actions/nat-director-thresholds.txt'),
  });
  t.onCommand = (argv) => {
    if (argv[1] !== '-e') return undefined;
    const list = t.sections.get('ipvs-list')!.stdout;
    t.sections.set('ipvs-list', {
      stdout: list.replace(/( {2}-> 192\.168\.60\.99:80 +Masq +)1 /, '$10 '),
    });
    return undefined;
  };
  return t;
}

describe('a state or audit write that fails after the command was sent', () => {
  it('reports "sent but not recorded" with both reasons and prints the audit line to stderr', async () => {
    const nat = natDirector();
    const base = testContext({ 'nat-director': nat });
    // Real failures: /dev/full answers every write with ENOSPC; a path under a regular file is ENOTDIR.
    writeFileSync(join(dir, 'a-file'), '');
    const ctx = {
      ...base,
      audit: fileAuditLog('/dev/full'),
      drained: fileDrainMemory(join(dir, 'a-file', 'drained-weights.json')),
    };
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    const result = await runAction(ctx, plan, { confirmation: 'y' });
    expect(nat.commands.filter((a) => a[1] === '-e')).toHaveLength(1);
    expect(result.outcome).toBe('ok');
    expect(result.message).toMatch(/; sent but not recorded: state file: .*ENOTDIR.*; audit log: .*ENOSPC/);
    const printed = stderr.join('');
    expect(printed).toMatch(/audit log not written \(.*ENOSPC/);
    const line = printed.split('\n').find((l) => l.startsWith('{'))!;
    expect(JSON.parse(line)).toMatchObject({ action: 'weight', result: 'ok', sent: 1 });
  });
});

describe('reading the audit log', () => {
  const record = (i: number, sent: number) =>
    auditRecord({
      plan: {
        kind: 'weight',
        cluster: 'discuz',
        director: 'nat-director',
        target: `rs${i}`,
        preview: { commands: [], changes: [] },
        request: { action: 'release', cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' },
        undo: { action: 'release', cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' },
      } as never,
      at: Date.parse('2026-11-21T12:00:00Z') + i,
      operator: 'ops@console',
      result: 'ok',
      message: `m${i}`,
      after: {},
      durationMs: 1,
      sent,
    });

  it('skips lines that are valid JSON but not records (null, numbers, arrays)', () => {
    for (const line of ['null', '5', '[]', '"text"', 'true', '{"time":null}'])
      expect(auditViewOf(line)).toBeUndefined();
  });

  it('reads only the tail of a 600 MB log: the Audit view and undo still see the newest records', async () => {
    const file = join(dir, 'big-audit.jsonl');
    // 600 MB of history (sparse: no disk needed), then the newest records.
    execFileSync('truncate', ['-s', '600M', file]);
    appendFileSync(file, '\n');
    for (let i = 0; i < 300; i++) appendFileSync(file, `${JSON.stringify(record(i, i === 250 ? 1 : 0))}\nnull\n`);
    const view = await loadAuditTail(file);
    expect(view).toHaveLength(200);
    expect(view.at(-1)).toMatchObject({ message: 'm299' });
    const records = await fileAuditLog(file).records();
    expect(records.at(-1)?.message).toBe('m299');
    expect(lastSentAction(records)?.message).toBe('m250');
  });

  it('drops the line cut by the tail window and reads nothing for a missing file', async () => {
    const file = join(dir, 'cut.jsonl');
    writeFileSync(file, `${'x'.repeat(AUDIT_TAIL_BYTES)}\n${JSON.stringify(record(1, 1))}\n`);
    const text = await readFileTail(file, AUDIT_TAIL_BYTES);
    expect(text.startsWith('{')).toBe(true);
    expect(await readFileTail(join(dir, 'missing'), 100)).toBe('');
  });
});
