import { describe, expect, it } from 'vitest';
import { connTableText } from '../../bench/conn-table-gen.js';
import { countIpvsConns } from '../../collectors/ipvs-conns.js';
import { formatClientCount } from './format.js';

describe('a top client and its connections', () => {
  it('shows an exact count as one number and a bounded one as the range the true count lies in', () => {
    const clients = countIpvsConns(connTableText(20_000, 5, 4, 2000).text, { topClients: 16 }).groups.flatMap(
      (g) => g.topClients,
    );
    const exact = clients.find((c) => c.error === 0)!;
    const bounded = clients.find((c) => c.error > 0)!;
    expect(formatClientCount(exact)).toBe(`${exact.address} ×${exact.count}`);
    expect(formatClientCount(bounded)).toBe(`${bounded.address} ×${bounded.count - bounded.error}–${bounded.count}`);
    expect(formatClientCount({ address: '10.18.11.100', count: 48, error: 12 })).toBe('10.18.11.100 ×36–48');
  });
});
