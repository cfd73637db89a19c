import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitTabs, hostCountText, hostCounts } from './header-model.js';

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
