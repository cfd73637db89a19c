/** A parser's answer: a typed value, or a typed error naming the line that did not fit. Parsers never throw. */
export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ParseError };

export interface ParseError {
  readonly kind: 'parse';
  readonly message: string;
  /** 1-based line number in the parsed text, when one line is to blame. */
  readonly line?: number;
  readonly text?: string;
}

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function parseError<T>(message: string, line?: number, text?: string): ParseResult<T> {
  return {
    ok: false,
    error: {
      kind: 'parse',
      message,
      ...(line === undefined ? {} : { line }),
      ...(text === undefined ? {} : { text: text.slice(0, 200) }),
    },
  };
}

/** A parse error as one line for the screen: `what: message (line N)`. */
export const parseErrorText = (what: string, { message, line }: ParseError): string =>
  `${what}: ${message}${line ? ` (line ${line})` : ''}`;
