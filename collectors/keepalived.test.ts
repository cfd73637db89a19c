import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKeepalivedData } from './keepalived-data.js';
import { parseSignums } from './keepalived-dump-script.js';
import { parseKeepalivedJson } from './keepalived-json.js';
import { parseNotifyLog } from './keepalived-notify.js';
import { interpretKeepalived } from './keepalived.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../test/fixtures/keepalived-netns/${name}`, import.meta.url), 'utf8');
const section = (id: string, stdout: string, exitCode = 0, stderr = '') =>
  [id, { id, stdout, stderr, exitCode }] as const;

describe('keepalived JSON dump', () => {
  it('reads state, priorities, VIPs and transition time of a healthy MASTER', () => {
    const r = parseKeepalivedJson(fixture('healthy-master.json'));
    expect(r.ok && r.value).toEqual([
      expect.objectContaining({
        name: 'VI_WEB',
        vrid: 51,
        state: 'MASTER',
        basePriority: 100,
        effectivePriority: 100,
        vips: ['10.77.0.40'],
        vipsSet: true,
        interface: 'eth0',
        advertIntSec: 1,
        version: 2,
      }),
    ]);
    expect(r.ok && r.value[0]!.lastTransition).toBeGreaterThan(1.7e9);
  });

  it('shows the priority lowered by a track file and FAULT forced by another', () => {
    const low = parseKeepalivedJson(fixture('prio-minus20.json'));
    expect(low.ok && low.value[0]).toMatchObject({ state: 'MASTER', basePriority: 100, effectivePriority: 80 });
    const fault = parseKeepalivedJson(fixture('fault.json'));
    expect(fault.ok && fault.value[0]).toMatchObject({ state: 'FAULT', vipsSet: false });
  });

  it('gives typed errors for garbage and truncated dumps', () => {
    expect(parseKeepalivedJson('garbage')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    const truncated = fixture('healthy-master.json').slice(0, 200);
    expect(parseKeepalivedJson(truncated).ok).toBe(false);
    expect(parseKeepalivedJson('[{"stats":{}}]')).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('iname') },
    });
  });
});

describe('keepalived data dump', () => {
  it('reads instances and the live status of every track file', () => {
    const r = parseKeepalivedData(fixture('prio-minus20.data'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.instances).toEqual([
      expect.objectContaining({
        name: 'VI_WEB',
        vrid: 51,
        state: 'MASTER',
        wantState: 'MASTER',
        basePriority: 100,
        effectivePriority: 80,
        vips: ['10.77.0.40'],
        trackFiles: ['lvstop_prio', 'lvstop_fault'],
        advertIntSec: 1,
        version: 2,
      }),
    ]);
    expect(r.value.trackFiles.map(({ name, status, weight }) => ({ name, status, weight }))).toEqual([
      { name: 'lvstop_prio', status: -20, weight: 1 },
      { name: 'lvstop_fault', status: 0, weight: 0 },
    ]);
    const fault = parseKeepalivedData(fixture('fault.data'));
    expect(fault.ok && fault.value.instances[0]!.state).toBe('FAULT');
    expect(fault.ok && fault.value.trackFiles.find((t) => t.name === 'lvstop_fault')?.status).toBe(1);
  });

  it('rejects text that is not a data dump', () => {
    expect(parseKeepalivedData(fixture('fault.stats')).ok).toBe(false);
  });
});

describe('interpretKeepalived', () => {
  it('reads the dump script output: JSON for state, the data dump for track files', () => {
    const r = interpretKeepalived(new Map([section('keepalived', fixture('fault.dump.txt'))]));
    expect(r).toMatchObject({
      status: 'ok',
      source: 'json',
      instances: [{ state: 'FAULT', trackFiles: ['lvstop_prio', 'lvstop_fault'] }],
    });
    expect(r.status === 'ok' && r.trackFiles.find((t) => t.name === 'lvstop_fault')?.status).toBe(1);
    expect(parseSignums(fixture('fault.dump.stderr'))).toEqual({ json: '36', data: '10' });
  });

  it('reads a JSON-only poll (no data dump) as partial', () => {
    const r = interpretKeepalived(new Map([section('keepalived', fixture('prio-minus20.json'))]));
    expect(r).toMatchObject({
      status: 'ok',
      source: 'json',
      partial: true,
      instances: [{ state: 'MASTER', effectivePriority: 80 }],
    });
  });

  it('falls back to the data dump when the build has no JSON', () => {
    // What the script prints when `keepalived --signum=JSON` fails: an empty JSON part, then the data dump.
    const r = interpretKeepalived(
      new Map([section('keepalived', `\n@@keepalived-data\n${fixture('healthy-master.data')}`)]),
    );
    expect(r).toMatchObject({ status: 'ok', source: 'data', instances: [{ state: 'MASTER', effectivePriority: 100 }] });
  });

  it('refuses a data dump read while keepalived wrote it; the JSON reading stands, as between data dumps', () => {
    const data = fixture('fault.data');
    // Cut inside the track files: read as it stands, lvstop_fault would have no status (0, not failing).
    const cut = data.slice(0, data.indexOf('Status', data.indexOf('Track file = lvstop_fault')));
    const parsed = parseKeepalivedData(cut);
    expect(!parsed.ok && parsed.error.message).toMatch(/no Interfaces section: the dump was cut short/);
    const r = interpretKeepalived(
      new Map([section('keepalived', `${fixture('fault.json')}\n@@keepalived-data\n${cut}`)]),
    );
    expect(r).toMatchObject({ status: 'ok', source: 'json', partial: true, instances: [{ state: 'FAULT' }] });
    // A build without JSON has nothing else to stand on: an error, never an instance with no state.
    const alone = data.slice(0, data.indexOf('State =', data.indexOf('VRRP Instance =')));
    const dataOnly = interpretKeepalived(new Map([section('keepalived', `\n@@keepalived-data\n${alone}`)]));
    expect(dataOnly).toMatchObject({ status: 'error', message: expect.stringMatching(/cut short/) });
  });

  it('says keepalived is not running, not permitted, or too slow', () => {
    const stopped = interpretKeepalived(
      new Map([section('keepalived', '', 3, 'keepalived is not running: no pid file /run/keepalived.pid')]),
    );
    expect(stopped).toEqual({
      status: 'not-running',
      message: 'keepalived is not running: no pid file /run/keepalived.pid',
    });
    expect(
      interpretKeepalived(new Map([section('keepalived', '', 4, 'not allowed to signal keepalived pid 1')])),
    ).toMatchObject({ status: 'permission' });
    expect(
      interpretKeepalived(
        new Map([section('keepalived', '', 5, 'signums 36 10\nkeepalived did not write its dumps within 2 s')]),
      ),
    ).toEqual({ status: 'timeout', message: 'keepalived did not write its dumps within 2 s' });
    expect(interpretKeepalived(new Map([section('keepalived', 'garbage')]))).toMatchObject({ status: 'error' });
  });

  it('reads notify-script lines and skips others', () => {
    expect(parseNotifyLog('1795285166.7 VI_WEB MASTER\nnoise\n1795285170 VI_WEB BACKUP\n')).toEqual([
      { at: 1795285166.7, instance: 'VI_WEB', state: 'MASTER' },
      { at: 1795285170, instance: 'VI_WEB', state: 'BACKUP' },
    ]);
  });
});
