import { expect, it } from 'vitest';
import { fixture } from '../../test/support/action-fixtures.js';
import { parseAvailableSchedulers, validateSchedulerName } from './schedulers.js';

it('lists the schedulers the lab kernel offers, without ftp, pe_sip or ip_vs itself', () => {
  expect(parseAvailableSchedulers(fixture('actions/nat-director-schedulers.txt'))).toEqual([
    'dh',
    'fo',
    'lblc',
    'lblcr',
    'lc',
    'mh',
    'nq',
    'ovf',
    'rr',
    'sed',
    'sh',
    'wlc',
    'wrr',
  ]);
});

it('refuses an unknown scheduler name before connecting', () => {
  expect(validateSchedulerName('wlc')).toBe('wlc');
  expect(() => validateSchedulerName('roundrobin')).toThrow(/unknown; expected one of rr wrr/);
});
