// The source layout's own rules, checked on every run: files that fit on a screen, functions that fit in a head,
// and imports that point one way (collectors ← poller → store ← model/render ← components; transport below config).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const PRODUCT_DIRS = ['collectors', 'src', 'components'];
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Composition roots: the places allowed to put the Ink UI together with the rest. */
const UI_COMPOSITION_ROOTS = new Set([
  'src/cli/console-command.tsx',
  'src/cli/replay-console.tsx',
  'src/serve/attach-command.tsx',
]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

const FILES = PRODUCT_DIRS.flatMap(sourceFiles);

function parse(rel: string): ts.SourceFile {
  return ts.createSourceFile(rel, readFileSync(join(ROOT, rel), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Functions longer than the limit, as `file:line name (n lines)`. */
function longFunctions(rel: string, limit = MAX_FUNCTION_LINES): string[] {
  const src = parse(rel);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isMethodDeclaration(node)
    ) {
      const start = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const name = 'name' in node && node.name ? node.name.getText(src) : '(anonymous)';
      if (lines > limit) found.push(`${rel}:${start + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

/** Imports of one file, resolved to paths relative to the repository root. */
function importsOf(rel: string): string[] {
  const src = parse(rel);
  const out: string[] = [];
  for (const stmt of src.statements) {
    if ((ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt)) && stmt.moduleSpecifier) {
      const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
      if (spec.startsWith('.')) out.push(relative(ROOT, resolve(ROOT, dirname(rel), spec)));
    }
  }
  return out;
}

function violations(rule: (from: string, to: string) => boolean): string[] {
  return FILES.flatMap((from) =>
    importsOf(from)
      .filter((to) => rule(from, to))
      .map((to) => `${from} → ${to}`),
  );
}

describe('source layout', () => {
  it('finds the product sources it checks', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain('src/store/lvs-store.ts');
  });

  it(`keeps every product file within ${MAX_FILE_LINES} lines`, () => {
    const long = FILES.map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > MAX_FILE_LINES)
      .map(([f, n]) => `${f} (${n} lines)`);
    expect(long).toEqual([]);
  });

  it(`keeps every function within ${MAX_FUNCTION_LINES} lines`, () => {
    expect(FILES.flatMap((f) => longFunctions(f))).toEqual([]);
  });

  it('the function check sees a long function (it can fail)', () => {
    const probe = 'src/store/lvs-store.ts';
    expect(longFunctions(probe, 5).length).toBeGreaterThan(0);
  });

  it('the transport does not import the config', () => {
    expect(violations((from, to) => from.startsWith('src/transport/') && to.startsWith('src/config/'))).toEqual([]);
  });

  it('src/ and collectors/ do not import the UI, outside the composition roots', () => {
    const found = violations(
      (from, to) => !from.startsWith('components/') && to.startsWith('components/') && !UI_COMPOSITION_ROOTS.has(from),
    );
    expect(found).toEqual([]);
  });

  it('components read collectors only through src/model or src/render', () => {
    expect(violations((from, to) => from.startsWith('components/') && to.startsWith('collectors/'))).toEqual([]);
  });

  it('the built product imports nothing from test/', () => {
    expect(violations((_from, to) => to.startsWith('test/'))).toEqual([]);
  });
});
