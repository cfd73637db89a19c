import { describe, expect, it } from 'vitest';
import { parseIpvsList } from '../../collectors/ipvs-list.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import { fixture } from '../../test/support/action-fixtures.js';
import { editRealServerArgv, editSchedulerArgv, serviceSettings } from './ipvsadm-edit.js';

function services(path: string): IpvsService[] {
  const parsed = parseIpvsList(fixture(path));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return [...parsed.value.services];
}

describe('ipvsadm -e argv', () => {
  it('always carries the forwarding method of the live row', () => {
    for (const svc of services('healthy/nat-director/ipvsadm-Ln.txt'))
      for (const rs of svc.realServers) {
        const argv = editRealServerArgv(svc, rs, 0);
        expect(argv).toContain('-m');
        expect(argv.slice(-2)).toEqual(['-w', '0']);
      }
    const [dr] = services('healthy/director1/ipvsadm-Ln.txt');
    expect(editRealServerArgv(dr!, dr!.realServers[0]!, 50)).toEqual([
      'ipvsadm',
      '-e',
      '-t',
      '10.18.11.40:80',
      '-r',
      '10.18.11.21:80',
      '-g',
      '-w',
      '50',
    ]);
    const tun = { address: '10.0.0.5', port: 80, forward: 'Tunnel' as const };
    expect(editRealServerArgv(dr!, tun, 1)).toContain('-i');
  });

  it('keeps thresholds, which -e would reset to 0', () => {
    const [svc] = services('healthy/nat-director/ipvsadm-Ln.txt');
    const rs = { ...svc!.realServers[0]!, thresholds: { upper: 100, lower: 10 } };
    expect(editRealServerArgv(svc!, rs, 5).slice(-6)).toEqual(['-w', '5', '-x', '100', '-y', '10']);
  });

  it('edits fwmark and UDP services with their own options', () => {
    const all = services('healthy/nat-director/ipvsadm-Ln.txt');
    const udp = all.find((s) => s.protocol === 'UDP')!;
    const fwm = all.find((s) => s.protocol === 'FWM')!;
    expect(editRealServerArgv(udp, udp.realServers[0]!, 2).slice(2, 6)).toEqual([
      '-u',
      '172.16.60.22:53',
      '-r',
      '192.168.60.40:53',
    ]);
    expect(editRealServerArgv(fwm, fwm.realServers[0]!, 2).slice(2, 4)).toEqual(['-f', '1']);
  });

  it('refuses a Local real server: no flag recreates it', () => {
    const [svc] = services('healthy/nat-director/ipvsadm-Ln.txt');
    expect(() => editRealServerArgv(svc!, { address: '127.0.0.1', port: 80, forward: 'Local' }, 1)).toThrow(/Local/);
  });
});

describe('ipvsadm -E argv', () => {
  it('re-passes persistence, which -E would drop', () => {
    const [svc] = services('healthy/nat-director/ipvsadm-Ln.txt');
    expect(editSchedulerArgv(svc!, 'rr')).toEqual(['ipvsadm', '-E', '-t', '172.16.60.22:80', '-s', 'rr', '-p', '30']);
    const [dr] = services('healthy/director1/ipvsadm-Ln.txt');
    expect(editSchedulerArgv(dr!, 'wlc')).toEqual(['ipvsadm', '-E', '-t', '10.18.11.40:80', '-s', 'wlc', '-p', '50']);
  });

  it('re-passes mask, scheduler flags as bits, persistence engine and ops', () => {
    const parsed = parseIpvsList(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'TCP  172.16.60.22:9999 sh (sh-fallback,sh-port) persistent 30 mask 255.255.255.0 pe sip',
        'UDP  172.16.60.22:9998 rr ops',
      ].join('\n'),
    );
    if (!parsed.ok) throw new Error(parsed.error.message);
    const [tcp, udp] = parsed.value.services;
    expect(editSchedulerArgv(tcp!, 'rr')).toEqual([
      'ipvsadm',
      '-E',
      '-t',
      '172.16.60.22:9999',
      '-s',
      'rr',
      '-p',
      '30',
      '-M',
      '255.255.255.0',
      '--pe',
      'sip',
      '-b',
      'flag-1,flag-2',
    ]);
    expect(editSchedulerArgv(udp!, 'wlc')).toEqual(['ipvsadm', '-E', '-u', '172.16.60.22:9998', '-s', 'wlc', '-o']);
    expect(serviceSettings(tcp!)).toEqual({
      scheduler: 'sh',
      persistence: '30s mask 255.255.255.0',
      flags: 'flag-1,flag-2,pe sip',
    });
  });

  it('refuses a flag it cannot keep', () => {
    const [svc] = services('healthy/nat-director/ipvsadm-Ln.txt');
    expect(() => editSchedulerArgv({ ...svc!, flags: ['synproxy'] }, 'rr')).toThrow(/synproxy/);
  });
});
