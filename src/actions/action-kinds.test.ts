import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realServerRowId } from '../../collectors/ids.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import { ACTION_KINDS, consoleRequests, reviveRequest } from './action-kinds.js';
import type { ActionRequest } from './action-types.js';

const here = import.meta.dirname;
const ROOT = join(here, '../..');

/** Product sources (no tests) under a folder of the repository, with their text. */
function sources(dir: string): [string, string][] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => [join(dir, f), readFileSync(join(ROOT, dir, f), 'utf8')]);
}
const PRODUCT = [...sources('src'), ...sources('components'), ...sources('collectors')];

describe('the action kinds table', () => {
  it('has one module in kinds/ per entry, and the README lists each with its module', () => {
    const modules = readdirSync(join(here, 'kinds')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(modules.sort()).toEqual(ACTION_KINDS.map((k) => `${k.kind}.ts`).sort());
    const readme = readFileSync(join(here, 'README.md'), 'utf8');
    for (const k of ACTION_KINDS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${k.kind} `));
      expect(row, k.kind).toContain(`\`kinds/${k.kind}.ts\``);
      for (const action of k.actions) expect(row, k.kind).toContain(`\`${action}\``);
    }
  });

  it('answers every request action once', () => {
    const actions = ACTION_KINDS.flatMap((k) => k.actions as readonly string[]);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('hands the console rows to the plan as typed selectors, with the weight the operator saw', () => {
    const rs = { address: 'fd00:60::99', port: 80 };
    const listed = (director: string): IpvsService[] | undefined =>
      director === 'd1'
        ? [
            {
              key: 'FWM 77 IPv6',
              protocol: 'FWM',
              fwmark: 77,
              ipv6: true,
              scheduler: 'wlc',
              flags: [],
              realServers: [{ ...rs, forward: 'Route', weight: 7, activeConns: 0, inactiveConns: 0 }],
            },
          ]
        : undefined;
    const target = { kind: 'real-server', director: 'd1', service: 'FWM 77 IPv6', realServer: rs } as const;
    const [weight] = consoleRequests({ kind: 'weight', cluster: 'c', targets: [target], value: 'drain' }, listed);
    expect(weight).toEqual({
      action: 'weight',
      cluster: 'c',
      director: 'd1',
      service: { key: 'FWM 77 IPv6' },
      realServer: { address: 'fd00:60::99', port: 80, label: '[fd00:60::99]:80' },
      change: { kind: 'drain' },
      seen: { [realServerRowId('d1', 'FWM 77 IPv6', rs)]: 7 },
    });
    const [scheduler] = consoleRequests(
      {
        kind: 'scheduler',
        cluster: 'c',
        target: { kind: 'service', director: 'd1', service: 'FWM 77 IPv6' },
        scheduler: 'rr',
      },
      listed,
    );
    expect(scheduler).toMatchObject({ service: { key: 'FWM 77 IPv6' }, seen: 'wlc' });
  });

  it('types again a service an older audit line names as text, and leaves typed requests alone', () => {
    const older = {
      action: 'scheduler',
      cluster: 'c',
      director: 'd1',
      service: 'TCP 172.16.60.22:80',
      scheduler: 'wlc',
    } as unknown as ActionRequest;
    expect(reviveRequest(older)).toMatchObject({ service: { protocol: 'TCP', key: 'TCP 172.16.60.22:80', port: 80 } });
    const typed: ActionRequest = { action: 'release', cluster: 'c', director: 'd1', instance: 'VI_1' };
    expect(reviveRequest(typed)).toBe(typed);
    expect(() => reviveRequest({ ...typed, action: 'reboot' } as unknown as ActionRequest)).toThrow(/unknown action/);
  });
});

describe('one place per kind, text parsed at the edge', () => {
  it('tells kinds apart only in action-kinds.ts and inside each kind module', () => {
    const dispatch =
      /(switch \((request|req|plan|r)\.(action|kind)\))|case '(weight|weight-rows|scheduler|failover|release)'/;
    const found = PRODUCT.filter(([f, text]) => dispatch.test(text) && !f.includes('actions/kinds/')).map(([f]) => f);
    expect(found).toEqual([]);
  });

  it('parses a service or real server from text only where text comes in (the codec, its headless builders, revive)', () => {
    const parse = /\bparse(ServiceSpec|RealServerSpec|AddressPort)\(/;
    const found = PRODUCT.filter(([, text]) => parse.test(text)).map(([f]) => f);
    expect(found.sort()).toEqual(['src/actions/kinds/scheduler.ts', 'src/actions/target-spec.ts']);
  });
});
