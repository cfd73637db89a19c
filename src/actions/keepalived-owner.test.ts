import { expect, it } from 'vitest';
import { fixture } from '../../test/support/action-fixtures.js';
import { keepalivedOwns } from './keepalived-owner.js';

const ref = { protocol: 'TCP', address: '10.18.11.40', port: 80, ipv6: false } as const;

it("finds the lab director's virtual_server for its DR service, and no other", () => {
  const lines = fixture('actions/director1-virtual-servers.txt');
  expect(keepalivedOwns(lines, { ...ref, key: 'TCP 10.18.11.40:80' })).toBe(true);
  expect(keepalivedOwns(lines, { ...ref, port: 443, key: 'TCP 10.18.11.40:443' })).toBe(false);
  expect(keepalivedOwns(lines, { protocol: 'FWM', fwmark: 1, ipv6: false, key: 'FWM 1' })).toBe(false);
});

it('matches fwmark services, and counts a virtual_server group as owning any service', () => {
  expect(keepalivedOwns('virtual_server fwmark 1 {', { protocol: 'FWM', fwmark: 1, ipv6: false, key: 'FWM 1' })).toBe(
    true,
  );
  expect(keepalivedOwns('  virtual_server group web {', { ...ref, key: 'TCP 10.18.11.40:80' })).toBe(true);
});
