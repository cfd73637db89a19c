/**
 * Inputs for the parser fuzz suite: mutations of the captured fixtures, random text, and hostile shapes (200k-character
 * lines, 10k colons, huge numbers, `toString` / `__proto__` keys, NUL bytes). Used by the bounded run inside the unit
 * tests and by the long run (bench/fuzz-long.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';

function findFixtures(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'test/fixtures'))) return join(dir, 'test/fixtures');
  throw new Error('test/fixtures not found above bench/');
}

const root = findFixtures();
const allFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? allFiles(join(dir, n)) : [join(dir, n)]));
const files = allFiles(root);

/** The texts of each directory's fixture matching `a` and its fixture matching `b` (one poll's two reads). */
export function fixturePairs(a: RegExp, b: RegExp): [string, string][] {
  const pairs = files.flatMap((f) => {
    const other = files.find((g) => dirname(g) === dirname(f) && b.test(g.slice(root.length)));
    return a.test(f.slice(root.length)) && other
      ? [[readFileSync(f, 'utf8'), readFileSync(other, 'utf8')] as const]
      : [];
  });
  if (pairs.length === 0) throw new Error(`no fixture pair matches ${a} and ${b}`);
  return [...new Map(pairs.map(([x, y]) => [`${x}\0${y}`, [x, y] as [string, string]])).values()];
}

/** Texts of every fixture whose file name matches, deduplicated. */
export function fixtureTexts(name: RegExp): string[] {
  const texts = new Set(files.filter((f) => name.test(f.slice(root.length))).map((f) => readFileSync(f, 'utf8')));
  if (texts.size === 0) throw new Error(`no fixture matches ${name}`);
  return [...texts];
}

/** Numbers that are out of range somewhere, or not numbers at all in some parsers' eyes. */
export const HOSTILE_NUMBERS = [
  '-1',
  '0',
  '256',
  '65535',
  '65536',
  '99999',
  '4294967295',
  '4294967296',
  '18446744073709551615',
  '18446744073709551616',
  '9007199254740993',
  '1e400',
  '1e13',
  '10000000000000',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1.5',
  '00080',
  '9'.repeat(400),
];

const HOSTILE_TOKENS = [
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '\0',
  '\0\0\0\0',
  ':'.repeat(64),
  '::',
  '[',
  ']',
  '[::1]',
  '->',
  '-> ',
  'TCP ',
  'FWM ',
  ' IPv6',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '{',
  '}',
  '"',
  'null',
  '[null]',
  '------< VRRP Topology >------',
  ' VRRP Instance = toString',
  '   State = toString',
  '   Virtual Router ID = 0',
  '@@keepalived-data',
  'device x mounted on /y with fstype nfs4',
  '-f',
  '--rsh=evil',
  '   ',
  '%',
  '\\040',
  'é',
  '\ud800',
];

const HOSTILE_JSON_VALUES: unknown[] = [
  null,
  -1,
  0,
  256,
  65536,
  1e13,
  1e300,
  4294967296,
  1.5,
  'toString',
  '__proto__',
  '',
  'x'.repeat(300),
  {},
  [],
  [null],
  true,
  '999.1.1.1',
  '::::',
];

type Mutation = (text: string, at: number, pick: number) => string;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c | 0x20) >= 97 && (c | 0x20) <= 122;
/** The first run of `kind` characters at or after p (wrapping to the start), as [start, end], or [-1, -1]. */
function runAt(t: string, p: number, kind: (c: number) => boolean): [number, number] {
  for (const from of [p, 0]) {
    let s = from;
    while (s < t.length && !kind(t.charCodeAt(s))) s++;
    if (s < t.length) {
      let e = s;
      while (e < t.length && kind(t.charCodeAt(e))) e++;
      return [s, e];
    }
  }
  return [-1, -1];
}

const spot = (text: string, at: number) => Math.floor(at * (text.length + 1));
const lineBounds = (text: string, at: number): [number, number] => {
  const p = spot(text, at);
  const s = text.lastIndexOf('\n', p - 1) + 1;
  const e = text.indexOf('\n', p);
  return [s, e < 0 ? text.length : e];
};

const MUTATIONS: Mutation[] = [
  // Replace a number with a hostile one (the first number at or after a random spot, found by a local scan).
  (t, at, pick) => {
    const [s, e] = runAt(t, spot(t, at), isDigit);
    return s < 0 ? t : t.slice(0, s) + HOSTILE_NUMBERS[pick % HOSTILE_NUMBERS.length]! + t.slice(e);
  },
  // Insert a hostile token.
  (t, at, pick) => t.slice(0, spot(t, at)) + HOSTILE_TOKENS[pick % HOSTILE_TOKENS.length]! + t.slice(spot(t, at)),
  // Replace a word with a hostile token.
  (t, at, pick) => {
    const [s, e] = runAt(t, spot(t, at), isLetter);
    return s < 0 ? t : t.slice(0, s) + HOSTILE_TOKENS[pick % 4]! + t.slice(e);
  },
  // Delete a stretch.
  (t, at, pick) => t.slice(0, spot(t, at)) + t.slice(spot(t, at) + (pick % 40)),
  // Duplicate a line.
  (t, at) => {
    const [s, e] = lineBounds(t, at);
    return `${t.slice(0, e)}\n${t.slice(s, e)}${t.slice(e)}`;
  },
  // Drop a line.
  (t, at) => {
    const [s, e] = lineBounds(t, at);
    return t.slice(0, s) + t.slice(e + 1);
  },
  // Change one character.
  (t, at, pick) => {
    const p = Math.min(spot(t, at), t.length - 1);
    return p < 0 ? t : t.slice(0, p) + String.fromCharCode(pick % 0x3000) + t.slice(p + 1);
  },
  // Truncate.
  (t, at) => t.slice(0, spot(t, at)),
  // Make one line very long.
  (t, at, pick) => {
    const [, e] = lineBounds(t, at);
    return t.slice(0, e) + ' :0.['.charAt(pick % 5).repeat(pick % 8 === 0 ? 200_000 : 5000) + t.slice(e);
  },
];

/** Number swaps are what most often turn valid text into an out-of-range value, so they come up most. */
const mutationArb = fc.tuple(
  fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(MUTATIONS.length - 1), weight: 4 }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.nat(),
);

const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });
const applied = (text: string, ms: readonly (readonly [number, number, number])[]) =>
  ms.reduce((t, [k, at, pick]) => MUTATIONS[k]!(t, at, pick), text);

/** A fixture text with one to four mutations applied. */
export function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), mutationsArb).map(([seed, ms]) => applied(seed, ms));
}

/** Edits of one line, found by its index: the same edit on both reads of a poll lands on the same entry. */
const LINE_EDITS: ((lines: string[], k: number, pick: number) => void)[] = [
  // The line again, its last number changed.
  (ls, k, pick) => void ls.splice(k + 1, 0, ls[k]!.replace(/\d+(\s*)$/, `${pick}$1`)),
  // Swapped with the next line.
  (ls, k) => void ls.splice(k, 2, ...ls.slice(k, k + 2).reverse()),
  // Dropped.
  (ls, k) => void ls.splice(k, 1),
  // Its port (or first number after a colon) made hostile.
  (ls, k, pick) => (ls[k] = ls[k]!.replace(/:\d+/, `:${HOSTILE_NUMBERS[pick % HOSTILE_NUMBERS.length]}`)),
];
const lineEditsArb = fc.array(fc.tuple(fc.nat(LINE_EDITS.length - 1), fc.nat(), fc.nat()), {
  minLength: 1,
  maxLength: 3,
});
const lineEdited = (text: string, edits: readonly (readonly [number, number, number])[]) => {
  const lines = text.split('\n');
  for (const [e, k, pick] of edits) if (lines.length > 0) LINE_EDITS[e]!(lines, k % lines.length, pick);
  return lines.join('\n');
};

/**
 * A pair of texts (one poll's two reads) as captured, or edited on one side or on both alike: mutations anywhere, or
 * line edits by index (the two reads share their layout line for line).
 */
export function mutatedPairs(pairs: readonly [string, string][]): fc.Arbitrary<[string, string]> {
  const edit = fc.oneof(
    mutationsArb.map((ms) => (t: string) => applied(t, ms)),
    lineEditsArb.map((es) => (t: string) => lineEdited(t, es)),
  );
  return fc
    .tuple(fc.constantFrom(...pairs), edit, fc.constantFrom('first', 'second', 'both', 'neither'))
    .map(([[a, b], f, side]) => [
      side === 'first' || side === 'both' ? f(a) : a,
      side === 'second' || side === 'both' ? f(b) : b,
    ]);
}

/** A JSON fixture with fields set to hostile values (deep inside objects and arrays), re-serialised. */
export function mutatedJson(seeds: readonly string[]): fc.Arbitrary<string> {
  const parsed = seeds.flatMap((s) => {
    try {
      return [JSON.parse(s) as unknown];
    } catch {
      return []; // a capture of a failed dump: still a text seed, not a JSON one
    }
  });
  return fc
    .tuple(
      fc.constantFrom(...parsed),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.boolean()), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([value, edits]) => {
      const copy = structuredClone(value);
      for (const [at, pick, rename] of edits) setSomewhere(copy, at, pick, rename);
      return JSON.stringify(copy);
    });
}

function setSomewhere(root: unknown, at: number, pick: number, rename: boolean): void {
  const slots: [Record<string, unknown>, string][] = [];
  const walk = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return;
    for (const k of Object.keys(v)) {
      slots.push([v as Record<string, unknown>, k]);
      walk((v as Record<string, unknown>)[k]);
    }
  };
  walk(root);
  const slot = slots[Math.floor(at * slots.length)];
  if (!slot) return;
  const [obj, key] = slot;
  if (rename) {
    const name = ['toString', '__proto__', 'constructor', 'valueOf'][pick % 4]!;
    Object.defineProperty(obj, name, { value: obj[key], enumerable: true, configurable: true, writable: true });
    delete obj[key];
  } else obj[key] = HOSTILE_JSON_VALUES[pick % HOSTILE_JSON_VALUES.length];
}

const CHARS = [...'0123456789abcdefABCDEF:.[]-> \t\n/=,()xyzTCPUDFWMIv6\0"{}', '\u00a0', '\u2028'];

/** Random text from characters that matter to the parsers, and any code units. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
);

/** Shapes that broke or stalled parsers before: one 200k-character line, 10k colons, deep or huge values. */
export function hostileShapes(seeds: readonly string[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    fc.constantFrom(
      `${' '.repeat(200_000)}x`,
      `${'1'.repeat(200_000)}`,
      `${':'.repeat(10_000)}`,
      `TCP  ${':'.repeat(10_000)}x`,
      `tcp:[${':'.repeat(10_000)}]:80`,
      `fwm:${'9'.repeat(10_000)}`,
      `  -> ${'1.'.repeat(100_000)}:80 Masq 1 0 0`,
      `IP Virtual Server version 1.2.1 (size=4096)\n${' '.repeat(200_000)}x\n`,
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `[${'{"data":null},'.repeat(10_000)}{}]`,
      `${'\0'.repeat(200_000)}`,
      `${'a '.repeat(100_000)}`,
      `1795288286 ${'x'.repeat(200_000)} MASTER`,
      `------< ${'-'.repeat(200_000)}`,
      `   ${'a'.repeat(200_000)} = 1`,
    ),
    fc.tuple(seed, fc.constantFrom(' ', ':', '0', 'a', '\t', '.', '-'), fc.nat()).map(([s, c, at]) => {
      const p = at % (s.length + 1);
      return `${s.slice(0, p)}${c.repeat(200_000)}${s.slice(p)}`;
    }),
  );
}

/**
 * The mix every text target gets: mostly fixture mutations, then random text, then hostile shapes (one input in
 * twenty; fixture-sized text the rest of the time keeps 100,000 inputs per parser affordable).
 */
export function textInputs(seeds: readonly string[], json = false): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: mutated(seeds), weight: json ? 7 : 14 },
    ...(json ? [{ arbitrary: mutatedJson(seeds), weight: 7 }] : []),
    { arbitrary: randomText, weight: 4 },
    { arbitrary: fc.constantFrom(...seeds), weight: 1 },
    { arbitrary: hostileShapes(seeds), weight: 1 },
  );
}
