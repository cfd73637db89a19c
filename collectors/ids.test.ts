import { describe, expect, it } from 'vitest';
import { addressPort, drainKey, rateKey, realServerKey, realServerRowId, serviceKey, serviceRowId } from './ids.js';

const v6 = { address: 'fd00:60::99', port: 80 };
const v4 = { address: '192.168.60.99', port: 80 };

describe('ids', () => {
  it('brackets IPv6 addresses next to a port, and only those', () => {
    expect(addressPort('fd00:60::99', 80)).toBe('[fd00:60::99]:80');
    expect(addressPort('192.168.60.99', 80)).toBe('192.168.60.99:80');
    expect(realServerKey(v6)).toBe('[fd00:60::99]:80');
    expect(serviceKey({ protocol: 'TCP', address: '2001:db8::1', port: 443 })).toBe('TCP [2001:db8::1]:443');
    expect(serviceKey({ protocol: 'FWM', fwmark: 77, ipv6: true })).toBe('FWM 77 IPv6');
    expect(serviceKey({ protocol: 'FWM', fwmark: 1 })).toBe('FWM 1');
  });

  it('builds the rate key, the row ids and the drain key from typed values', () => {
    expect(rateKey('TCP 172.16.60.22:80', v4)).toBe('TCP 172.16.60.22:80|192.168.60.99:80');
    expect(serviceRowId('nat-director', 'TCP 172.16.60.22:80')).toBe('nat-director|TCP 172.16.60.22:80');
    expect(realServerRowId('nat-director', 'FWM 77 IPv6', v6)).toBe('nat-director|FWM 77 IPv6|[fd00:60::99]:80');
    // The drain state file's key: kept as earlier versions wrote it, so a restore finds an older drain.
    expect(drainKey('discuz', 'nat-director', 'TCP 172.16.60.22:80', v4)).toBe(
      'discuz/nat-director/TCP 172.16.60.22:80/192.168.60.99:80',
    );
  });
});
