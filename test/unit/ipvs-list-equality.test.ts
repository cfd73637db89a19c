import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpvsList, parseIpvsStats } from '../../collectors/ipvs-list.js';
import * as reference from './ipvs-list-regex-reference.js';

const root = new URL('../fixtures/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));

describe('one-pass ipvsadm parser equals the regex parser on every capture', () => {
  const all = files(root);
  it.each(all.map((f) => [f.slice(root.length), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(parseIpvsList(text)).toEqual(reference.parseIpvsList(text));
    expect(parseIpvsStats(text)).toEqual(reference.parseIpvsStats(text));
  });
});
