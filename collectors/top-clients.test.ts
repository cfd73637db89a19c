import { describe, expect, it } from 'vitest';
import { ipv4Text, ipv6Key, SLOTS, TopClientsTable } from './top-clients.js';

// Slots change hands all the time: what is reported must be the address of the client holding the slot now, an IPv6
// client's text (set when it takes the slot) or an IPv4 client's (made from its key).
const v6 = (text: string) => {
  const b = Buffer.from(`[${text}]`, 'latin1');
  return { b, key: ipv6Key(b, 1, b.length - 1), text };
};

function count(t: TopClientsTable, g: number, client: { b: Buffer; key: number } | number, times = 1) {
  for (let i = 0; i < times; i++) {
    if (typeof client === 'number') t.add(g, client);
    else {
      const slot = t.add(g, client.key);
      if (slot >= 0) t.setText(g, slot, client.b.toString('latin1', 1, client.b.length - 1));
    }
  }
}

describe('top clients with IPv6 addresses', () => {
  it('reports the address of the client that holds each slot, after slots change hands', () => {
    const t = new TopClientsTable();
    t.grow(2);
    // Fill group 0 with IPv6 clients once each, then push them out with IPv4 clients and more IPv6 ones.
    const first = Array.from({ length: SLOTS }, (_, i) => v6(`2001:db8::${(i + 1).toString(16)}`));
    for (const c of first) count(t, 0, c);
    const ipv4 = 10 * 2 ** 24 + 7; // 10.0.0.7
    count(t, 0, ipv4, 5);
    const heavy = v6('2001:db8:ffff::42');
    count(t, 0, heavy, 7);
    // The longest text an address has (IPv4-mapped, 45 characters), and a longer run the reader also accepts.
    const mapped = v6('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255');
    const long = v6('1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:10:11:12:13:14:15:16:17:18:19');
    count(t, 0, mapped, 3);
    count(t, 0, long, 2);
    const top = t.top(0, 4);
    expect(top.map((c) => c.address)).toEqual([heavy.text, ipv4Text(ipv4), mapped.text, long.text]);
    // Each took a slot on its second line (its filter cell at 1 after its first, 1 + 1 above the smallest count, 1).
    expect(top[0]).toMatchObject({ count: 7, error: 1 });
    expect(top[1]).toMatchObject({ count: 5, error: 1 });
    // Group 1 is its own: nothing of group 0's addresses shows there.
    count(t, 1, v6('fe80::1'), 2);
    expect(t.top(1, 5)).toEqual([{ address: 'fe80::1', count: 2, error: 0 }]);
  });

  it('gives a slot that an IPv6 client lost to an IPv4 client the IPv4 text', () => {
    const t = new TopClientsTable();
    t.grow(1);
    const long = v6('1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:10:11:12:13:14:15:16:17:18:19');
    for (let i = 0; i < SLOTS; i++) count(t, 0, i === 0 ? long : v6(`2001:db8::${i.toString(16)}`));
    // Every slot holds 1: the next new client takes the lowest such slot, the long address's.
    const ipv4 = 192 * 2 ** 24 + 168 * 2 ** 16 + 1; // 192.168.0.1
    count(t, 0, ipv4, 3);
    const top = t.top(0, SLOTS);
    expect(top[0]).toEqual({ address: '192.168.0.1', count: 3, error: 1 });
    expect(top.map((c) => c.address)).not.toContain(long.text);
  });
});

describe('the filter in front of the slots', () => {
  const ip = (n: number) => 10 * 2 ** 24 + n;

  it('holds a new client back until its bound passes the smallest count, and bounds a displaced one', () => {
    const t = new TopClientsTable();
    t.grow(1);
    for (let n = 1; n <= SLOTS; n++) count(t, 0, ip(n), 3);
    const newcomer = ip(100);
    // Its first three lines only raise its filter cell: every slot holds 3, and 3 takes no slot from 3.
    for (let i = 0; i < 3; i++) expect(t.add(0, newcomer)).toBe(-1);
    expect(t.top(0, SLOTS).map((c) => c.address)).not.toContain('10.0.0.100');
    // The fourth makes 4: it takes the lowest slot of count 3 (10.0.0.1's), its count bounded by [1, 4].
    expect(t.add(0, newcomer)).toBe(0);
    expect(t.top(0, SLOTS).find((c) => c.address === '10.0.0.100')).toEqual({
      address: '10.0.0.100',
      count: 4,
      error: 3,
    });
    // 10.0.0.1 left with 3 counted: back once, it takes a slot at once, its true 4 within [4 - 3, 4].
    expect(t.add(0, ip(1))).toBeGreaterThanOrEqual(0);
    expect(t.top(0, SLOTS).find((c) => c.address === '10.0.0.1')).toEqual({ address: '10.0.0.1', count: 4, error: 3 });
    // The true counts of all held lie within their bounds: 3 each, the newcomer and 10.0.0.1 4.
    for (const c of t.top(0, SLOTS)) {
      const truth = c.address === '10.0.0.1' || c.address === '10.0.0.100' ? 4 : 3;
      expect(truth).toBeGreaterThanOrEqual(c.count - c.error);
      expect(truth).toBeLessThanOrEqual(c.count);
    }
  });
});
