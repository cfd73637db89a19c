import { describe, expect, it } from 'vitest';
import { parseIpvsList } from '../../collectors/ipvs-list.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import { fixture } from '../../test/support/action-fixtures.js';
import { editRealServerArgv } from './ipvsadm-edit.js';
import { findService, parseServiceSpec } from './target-spec.js';

/** The lab NAT director's table with the IPv6 fwmark service 77 (test/fixtures/console/NOTES.md). */
function services(): IpvsService[] {
  const parsed = parseIpvsList(fixture('console/nat-director-ipvs-list.txt'));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return [...parsed.value.services];
}

const find = (text: string, list = services()) => findService(parseServiceSpec(text), list, 'nat-director');

describe('finding a service by what the operator named', () => {
  it('finds the IPv6 fwmark service as fwm:77 and by its key, and builds its argv with -6', () => {
    const list = services();
    const svc = find('fwm:77', list)!;
    expect(svc.key).toBe('FWM 77 IPv6');
    expect(find('FWM 77 IPv6', list)).toBe(svc);
    expect(find('FWM 77', list)).toBeUndefined();
    const rs = svc.realServers.find((r) => r.address === 'fd00:60::99')!;
    expect(editRealServerArgv(svc, rs, 0)).toEqual([
      'ipvsadm',
      '-e',
      '-f',
      '77',
      '-6',
      '-r',
      '[fd00:60::99]:80',
      '-m',
      '-w',
      '0',
    ]);
  });

  it('finds IPv4 services by either form, and nothing for a mark not listed', () => {
    expect(find('fwm:1')?.key).toBe('FWM 1');
    expect(find('tcp:172.16.60.22:80')?.key).toBe('TCP 172.16.60.22:80');
    expect(find('fwm:2')).toBeUndefined();
  });

  it('refuses a bare mark that names services of both families', () => {
    const list = services();
    const v6 = list.find((s) => s.key === 'FWM 77 IPv6')!;
    const v4: IpvsService = { ...list.find((s) => s.key === 'FWM 1')!, key: 'FWM 77', fwmark: 77 };
    expect(() => find('fwm:77', [v6, v4])).toThrow(
      /fwm|FWM 77 names 2 services on nat-director: "FWM 77 IPv6", "FWM 77"/,
    );
    expect(find('FWM 77', [v6, v4])).toBe(v4);
  });
});
