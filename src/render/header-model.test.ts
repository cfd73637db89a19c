import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitTabs, headerStatus, hostCountText, hostCounts, jumpHostText } from './header-model.js';

const names = Array.from({ length: 150 }, (_, i) => `cluster${String(i).padStart(3, '0')}`);
const drawnWidth = (r: ReturnType<typeof fitTabs>) =>
  r.tabs.reduce((a, t) => a + stringWidth(t.label) + 1, 0) +
  (r.before > 0 ? stringWidth(`‹${r.before} `) : 0) +
  (r.after > 0 ? stringWidth(` ${r.after}›`) : 0);

describe('cluster tabs', () => {
  it('fit any number of clusters in the width, around the current one, counting what is scrolled out', () => {
    for (const current of ['cluster000', 'cluster075', 'cluster149']) {
      const r = fitTabs(names, current, 50);
      expect(r.tabs.some((t) => t.current && t.name === current)).toBe(true);
      expect(drawnWidth(r)).toBeLessThanOrEqual(50);
      expect(r.before + r.tabs.length + r.after).toBe(150);
      expect(r.tabs.length).toBeGreaterThan(1);
    }
    expect(fitTabs(names, 'cluster000', 50).before).toBe(0);
    expect(fitTabs(names, 'cluster149', 50).after).toBe(0);
  });

  it('show every tab when they fit, and measure wide characters as the terminal draws them', () => {
    expect(fitTabs(['discuz', 'wordpress'], 'wordpress', 80)).toEqual({
      tabs: [
        { name: 'discuz', label: ' discuz ', current: false },
        { name: 'wordpress', label: ' wordpress ', current: true },
      ],
      before: 0,
      after: 0,
    });
    // Six CJK clusters of 4 characters: 8 columns each, 11 with padding and gap; 40 columns cannot hold them all.
    const cjk = ['论坛集群', '博客集群', '图片集群', '视频集群', '下载集群', '接口集群'];
    const r = fitTabs(cjk, '图片集群', 40);
    expect(drawnWidth(r)).toBeLessThanOrEqual(40);
    expect(r.before + r.tabs.length + r.after).toBe(6);
    expect(r.after).toBeGreaterThan(0);
  });
});

describe('host counts', () => {
  const host = (name: string, status: 'connecting' | 'up' | 'slow' | 'down') => ({ name, status, skippedTicks: 0 });
  it('count slow hosts as answering, and show connection progress while hosts connect', () => {
    const c = hostCounts([host('a', 'up'), host('b', 'slow'), host('c', 'down'), host('d', 'connecting')]);
    expect(c).toEqual({ answering: 2, slow: 1, down: 1, connecting: 1, total: 4 });
    expect(hostCountText(c)).toBe('2/4 up 1 slow 1 connecting');
    expect(hostCountText(hostCounts([host('a', 'up')]))).toBe('1/1 up');
  });
});

describe('header status', () => {
  const now = Date.parse('2026-11-22T05:00:07Z');
  const input = {
    counts: { answering: 7, slow: 1, down: 1, connecting: 0, total: 8 },
    oldest: now - 3000,
    paused: false,
    readOnly: false,
    jump: { cpuPercent: 95.4, memUsedPercent: 40.2, rxBytesPerSec: 2048, txBytesPerSec: 300, readAt: now },
    badge: undefined,
    now,
    width: 160,
  };

  it('shows counts, data age and clock always, and the jump host load only where 30 columns stay for the tabs', () => {
    const wide = headerStatus(input);
    expect(wide).toMatchObject({
      hosts: '7/8 up 1 slow',
      down: true,
      slow: true,
      dataAge: 'data 3s',
      clock: '05:00:07',
    });
    expect(wide.jump).toEqual({ text: 'here cpu 95% mem 40% net 2.0K/300B', busy: true });
    // The status side is 7/8 up 1 slow, data 3s and the clock with a gap each (31 columns), the jump text 34 and its
    // gap, and 9 for "lvstop" and the gaps around the boxes.
    expect(wide.tabRoom).toBe(160 - 31 - 35 - 9);
    const narrow = headerStatus({ ...input, width: 80 });
    expect(narrow.jump).toBeUndefined();
    expect(narrow.tabRoom).toBe(80 - 31 - 9);
    expect(headerStatus({ ...input, width: 20 }).tabRoom).toBe(12);
  });

  it('counts the paused, read-only and badge marks into the width, and names a host without net rates', () => {
    const s = headerStatus({ ...input, paused: true, readOnly: true, badge: 'REPLAY', width: 80 });
    expect(s).toMatchObject({ paused: true, readOnly: true, badge: 'REPLAY' });
    expect(s.tabRoom).toBe(80 - 31 - ' PAUSED  read-only REPLAY '.length - 9);
    expect(jumpHostText({ cpuPercent: 3, memUsedPercent: 50, readAt: now })).toBe('here cpu 3% mem 50%');
    expect(headerStatus({ ...input, oldest: undefined }).dataAge).toBe('data never');
  });
});
