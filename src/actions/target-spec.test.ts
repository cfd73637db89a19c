import { describe, expect, it } from 'vitest';
import { parseRealServerSpec, parseServiceSpec, serviceArgs } from './target-spec.js';

describe('service spec', () => {
  it('parses the operator forms and the console keys to the same service key', () => {
    expect(parseServiceSpec('tcp:172.16.60.22:80')).toMatchObject({ protocol: 'TCP', key: 'TCP 172.16.60.22:80' });
    expect(parseServiceSpec('TCP 172.16.60.22:80').key).toBe('TCP 172.16.60.22:80');
    expect(parseServiceSpec('udp:172.16.60.22:53').key).toBe('UDP 172.16.60.22:53');
    expect(parseServiceSpec('sctp:10.0.0.1:3868').key).toBe('SCTP 10.0.0.1:3868');
    expect(parseServiceSpec('fwm:1')).toMatchObject({ protocol: 'FWM', fwmark: 1, key: 'FWM 1' });
    expect(parseServiceSpec('FWM 1').key).toBe('FWM 1');
    expect(parseServiceSpec('tcp:[2001:db8::1]:443').key).toBe('TCP [2001:db8::1]:443');
  });

  it('names a fwmark of either family as fwm:N, and one family by its key', () => {
    expect(parseServiceSpec('fwm:77')).toEqual({ protocol: 'FWM', fwmark: 77, key: 'FWM 77' });
    expect(parseServiceSpec('FWM 77 IPv6')).toEqual({ protocol: 'FWM', fwmark: 77, ipv6: true, key: 'FWM 77 IPv6' });
    expect(parseServiceSpec('FWM 77')).toEqual({ protocol: 'FWM', fwmark: 77, ipv6: false, key: 'FWM 77' });
    expect(() => parseServiceSpec('FWM 77 IPv5')).toThrow(/fwmark/);
  });

  it.each(['http:1.2.3.4:80', 'tcp:1.2.3.4', 'tcp:1.2.3:80', 'tcp:1.2.3.4:99999', 'fwm:0', 'fwm:x', ''])(
    'refuses %j',
    (text) => expect(() => parseServiceSpec(text)).toThrow(/service/),
  );

  it('builds ipvsadm service options per protocol', () => {
    const v4 = { address: '172.16.60.22', port: 80, ipv6: false };
    expect(serviceArgs({ protocol: 'TCP', ...v4 })).toEqual(['-t', '172.16.60.22:80']);
    expect(serviceArgs({ protocol: 'UDP', ...v4 })).toEqual(['-u', '172.16.60.22:80']);
    expect(serviceArgs({ protocol: 'SCTP', ...v4 })).toEqual(['--sctp-service', '172.16.60.22:80']);
    expect(serviceArgs({ protocol: 'FWM', fwmark: 1, ipv6: false })).toEqual(['-f', '1']);
    expect(serviceArgs({ protocol: 'TCP', address: '2001:db8::1', port: 80, ipv6: true })).toEqual([
      '-t',
      '[2001:db8::1]:80',
    ]);
  });
});

describe('real server spec', () => {
  const configured = [{ host: 'real1', address: '192.168.60.99' }];
  it('takes ADDR:PORT, a bare address, or a configured host name', () => {
    expect(parseRealServerSpec('192.168.60.99:80', configured)).toEqual({
      address: '192.168.60.99',
      port: 80,
      label: '192.168.60.99:80',
    });
    expect(parseRealServerSpec('192.168.60.99', configured)).toEqual({
      address: '192.168.60.99',
      label: '192.168.60.99',
    });
    expect(parseRealServerSpec('real1', configured)).toEqual({ address: '192.168.60.99', label: 'real1' });
  });

  it('refuses what is neither', () => {
    expect(() => parseRealServerSpec('real9', configured)).toThrow(/not an address/);
  });
});
