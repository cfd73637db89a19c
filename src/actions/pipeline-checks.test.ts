import { describe, expect, it } from 'vitest';
import { confirmationProblem, differences } from './pipeline-checks.js';

describe('confirmation', () => {
  const guard = { reason: 'last real server', confirmName: '192.168.60.99:80' };
  it('takes y or true for an ordinary action', () => {
    expect(confirmationProblem({}, true)).toBeUndefined();
    expect(confirmationProblem({}, 'Y')).toBeUndefined();
    expect(confirmationProblem({}, 'n')).toBe('not confirmed');
  });

  it('takes only the typed target name for a guarded one (--yes alone is not enough)', () => {
    expect(confirmationProblem({ guard }, '192.168.60.99:80')).toBeUndefined();
    expect(confirmationProblem({ guard }, true)).toMatch(/refused: last real server. Type "192.168.60.99:80"/);
    expect(confirmationProblem({ guard }, 'y')).toMatch(/refused/);
  });
});

describe('compare-and-set and read-back', () => {
  const changes = [
    { host: 'h', target: 'TCP 1.2.3.4:80 10.0.0.1:80', field: 'weight', before: '1', after: '0' },
    { host: 'h', target: 'TCP 1.2.3.4:80 10.0.0.1:80', field: 'forwarding', before: 'Masq', after: 'Masq' },
  ];
  it('passes when the live values are what the operator saw', () => {
    const live = { 'h TCP 1.2.3.4:80 10.0.0.1:80 weight': '1', 'h TCP 1.2.3.4:80 10.0.0.1:80 forwarding': 'Masq' };
    expect(differences(changes, live, 'before')).toEqual([]);
  });

  it('names every value that moved behind the console', () => {
    const live = { 'h TCP 1.2.3.4:80 10.0.0.1:80 weight': '5', 'h TCP 1.2.3.4:80 10.0.0.1:80 forwarding': 'Masq' };
    expect(differences(changes, live, 'before')).toEqual([
      'h TCP 1.2.3.4:80 10.0.0.1:80 weight: expected 1 (as previewed), live 5',
    ]);
  });

  it('checks the read-back against the expected after, including values that must not change', () => {
    const live = { 'h TCP 1.2.3.4:80 10.0.0.1:80 weight': '0', 'h TCP 1.2.3.4:80 10.0.0.1:80 forwarding': 'Route' };
    expect(differences(changes, live, 'after')).toEqual([
      'h TCP 1.2.3.4:80 10.0.0.1:80 forwarding: expected Masq, live Route',
    ]);
  });
});
