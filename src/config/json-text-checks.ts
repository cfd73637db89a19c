import { formatPath } from './config-error.js';

type Frame =
  | {
      readonly kind: 'object';
      readonly path: PropertyKey[];
      readonly keys: Set<string>;
      key?: string;
      expectKey: boolean;
    }
  | { readonly kind: 'array'; readonly path: PropertyKey[]; index: number };

function childPath(top: Frame | undefined): PropertyKey[] {
  if (!top) return [];
  return top.kind === 'object' ? [...top.path, top.key ?? ''] : [...top.path, top.index];
}

/**
 * Keys that appear twice in one object of a JSON text (JSON.parse keeps the last silently), each as
 * `path: duplicate key "k"`. The text must already be valid JSON; one pass over it.
 */
export function duplicateJsonKeys(text: string): string[] {
  const problems: string[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) problems.push(`${formatPath([...top.path, key])}: duplicate key "${key}"`);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') stack.push({ kind: 'object', path: childPath(top), keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ kind: 'array', path: childPath(top), index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index += 1;
    }
  }
  return problems;
}

/** Strings (values or keys) holding a NUL byte, which no command line or file name can carry. */
export function nulByteProblems(value: unknown, path: PropertyKey[] = []): string[] {
  if (typeof value === 'string') return value.includes('\0') ? [`${formatPath(path)}: contains a NUL byte`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulByteProblems(v, [...path, i]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) =>
      k.includes('\0')
        ? [`${formatPath([...path, k.replace(/\0/g, '\\0')])}: key contains a NUL byte`]
        : nulByteProblems(v, [...path, k]),
    );
  return [];
}
