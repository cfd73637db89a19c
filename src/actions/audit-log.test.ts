import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditViewOf } from '../audit-view.js';
import { fileAuditLog, parseAuditLines } from './audit-log.js';
import { fileDrainMemory } from './drain-memory.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvstop-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = {
  time: '2026-11-21T12:00:00.000Z',
  operator: 'ops@console',
  action: 'weight',
  cluster: 'discuz',
  host: 'nat-director',
  target: 'TCP 172.16.60.22:80 192.168.60.99:80',
  hosts: ['nat-director'],
  argv: [['ipvsadm', '-e', '-t', '172.16.60.22:80', '-r', '192.168.60.99:80', '-m', '-w', '0']],
  command: ['env LC_ALL=C LANG=C ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0'],
  before: { 'nat-director TCP 172.16.60.22:80 192.168.60.99:80 weight': '1' },
  after: { 'nat-director TCP 172.16.60.22:80 192.168.60.99:80 weight': '0' },
  result: 'ok',
  message: 'done',
  durationMs: 12,
  sent: 1,
  request: { action: 'release', cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' },
} as const;

it('appends JSONL lines that the Audit view reads, skipping torn lines', async () => {
  const file = join(dir, 'state', 'audit.jsonl');
  const log = fileAuditLog(file);
  await Promise.all([log.append(record), log.append({ ...record, result: 'aborted-cas' })]);
  await writeFile(file, `${await readFile(file, 'utf8')}{"torn\n`);
  expect((await log.records()).map((r) => r.result)).toEqual(['ok', 'aborted-cas']);
  const view = auditViewOf((await readFile(file, 'utf8')).split('\n')[0]!);
  expect(view).toMatchObject({
    operator: 'ops@console',
    action: 'weight',
    result: 'ok',
    target: 'discuz/nat-director/TCP 172.16.60.22:80 192.168.60.99:80',
  });
  expect(parseAuditLines('not json\n')).toEqual([]);
});

it('remembers drained weights in a state file and forgets restored ones', async () => {
  const file = join(dir, 'drained-weights.json');
  const memory = fileDrainMemory(file, () => 0);
  await memory.update(new Map([['discuz/nat-director/TCP 172.16.60.22:80/192.168.60.99:80', 7]]), []);
  expect(await fileDrainMemory(file).get('discuz/nat-director/TCP 172.16.60.22:80/192.168.60.99:80')).toBe(7);
  await memory.update(new Map(), ['discuz/nat-director/TCP 172.16.60.22:80/192.168.60.99:80']);
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, weights: {} });
});
